"""``/v1/vector_stores``: stores, their files, file batches and search."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from plugstack.apis.vector_stores import (
    CreateFileBatchRequest,
    CreateVectorStoreFileRequest,
    CreateVectorStoreRequest,
    ListPage,
    SearchRequest,
    SearchResultsPage,
    UpdateVectorStoreRequest,
    VectorStoreDeleted,
    VectorStoreFile,
    VectorStoreFileBatch,
    VectorStoreFileDeleted,
    VectorStoreObject,
)
from plugstack.server.routing import ApiRoute, json_response, query_int, query_order, read_body

if TYPE_CHECKING:
    from plugstack.stack import Stack

__all__ = ["routes"]


def _page_params(request: Request) -> dict[str, Any]:
    params = request.query_params
    return {
        "limit": query_int(request, "limit", 20),
        "order": query_order(request),
        "after": params.get("after"),
        "before": params.get("before"),
    }


def routes(stack: Stack) -> list[ApiRoute]:
    def store_id(request: Request) -> str:
        return str(request.path_params["vector_store_id"])

    async def create_vector_store(request: Request) -> Response:
        body = await read_body(request, CreateVectorStoreRequest)
        return json_response(await stack.vector_stores.create_vector_store(body))

    async def list_vector_stores(request: Request) -> Response:
        return json_response(await stack.vector_stores.list_vector_stores(**_page_params(request)))

    async def retrieve_vector_store(request: Request) -> Response:
        return json_response(await stack.vector_stores.retrieve_vector_store(store_id(request)))

    async def update_vector_store(request: Request) -> Response:
        body = await read_body(request, UpdateVectorStoreRequest)
        return json_response(await stack.vector_stores.update_vector_store(store_id(request), body))

    async def delete_vector_store(request: Request) -> Response:
        return json_response(await stack.vector_stores.delete_vector_store(store_id(request)))

    async def search_vector_store(request: Request) -> Response:
        body = await read_body(request, SearchRequest)
        return json_response(await stack.vector_stores.search_vector_store(store_id(request), body))

    async def create_vector_store_file(request: Request) -> Response:
        body = await read_body(request, CreateVectorStoreFileRequest)
        return json_response(await stack.vector_stores.create_vector_store_file(store_id(request), body))

    async def list_vector_store_files(request: Request) -> Response:
        status = request.query_params.get("filter")
        listed = await stack.vector_stores.list_vector_store_files(
            store_id(request), **_page_params(request), filter=status
        )
        return json_response(listed)

    async def retrieve_vector_store_file(request: Request) -> Response:
        file_id = request.path_params["file_id"]
        return json_response(await stack.vector_stores.retrieve_vector_store_file(store_id(request), file_id))

    async def delete_vector_store_file(request: Request) -> Response:
        file_id = request.path_params["file_id"]
        return json_response(await stack.vector_stores.delete_vector_store_file(store_id(request), file_id))

    async def create_file_batch(request: Request) -> Response:
        body = await read_body(request, CreateFileBatchRequest)
        return json_response(await stack.vector_stores.create_file_batch(store_id(request), body))

    async def retrieve_file_batch(request: Request) -> Response:
        batch_id = request.path_params["batch_id"]
        return json_response(await stack.vector_stores.retrieve_file_batch(store_id(request), batch_id))

    async def cancel_file_batch(request: Request) -> Response:
        batch_id = request.path_params["batch_id"]
        return json_response(await stack.vector_stores.cancel_file_batch(store_id(request), batch_id))

    async def list_file_batch_files(request: Request) -> Response:
        batch_id = request.path_params["batch_id"]
        status = request.query_params.get("filter")
        listed = await stack.vector_stores.list_files_in_batch(
            store_id(request), batch_id, **_page_params(request), filter=status
        )
        return json_response(listed)

    base = "/v1/vector_stores"
    store = base + "/{vector_store_id}"
    batch = store + "/file_batches/{batch_id}"
    tag = "vector_stores"
    return [
        ApiRoute(
            base,
            create_vector_store,
            method="POST",
            summary="Create a vector store",
            tag=tag,
            request_model=CreateVectorStoreRequest,
            response_model=VectorStoreObject,
        ),
        ApiRoute(
            base,
            list_vector_stores,
            method="GET",
            summary="List vector stores",
            tag=tag,
            response_model=ListPage[VectorStoreObject],
        ),
        ApiRoute(
            store,
            retrieve_vector_store,
            method="GET",
            summary="Retrieve a vector store",
            tag=tag,
            response_model=VectorStoreObject,
        ),
        ApiRoute(
            store,
            update_vector_store,
            method="POST",
            summary="Update a vector store's name or metadata",
            tag=tag,
            request_model=UpdateVectorStoreRequest,
            response_model=VectorStoreObject,
        ),
        ApiRoute(
            store,
            delete_vector_store,
            method="DELETE",
            summary="Delete a vector store and its chunks",
            tag=tag,
            response_model=VectorStoreDeleted,
        ),
        ApiRoute(
            store + "/search",
            search_vector_store,
            method="POST",
            summary="Search a vector store (search_mode: vector, keyword or hybrid)",
            tag=tag,
            request_model=SearchRequest,
            response_model=SearchResultsPage,
        ),
        ApiRoute(
            store + "/files",
            create_vector_store_file,
            method="POST",
            summary="Attach a file: extract, chunk, embed, index",
            tag=tag,
            request_model=CreateVectorStoreFileRequest,
            response_model=VectorStoreFile,
        ),
        ApiRoute(
            store + "/files",
            list_vector_store_files,
            method="GET",
            summary="List a vector store's files",
            tag=tag,
            response_model=ListPage[VectorStoreFile],
        ),
        ApiRoute(
            store + "/files/{file_id}",
            retrieve_vector_store_file,
            method="GET",
            summary="Retrieve a vector store file (status, last_error)",
            tag=tag,
            response_model=VectorStoreFile,
        ),
        ApiRoute(
            store + "/files/{file_id}",
            delete_vector_store_file,
            method="DELETE",
            summary="Remove a file and its chunks from a vector store",
            tag=tag,
            response_model=VectorStoreFileDeleted,
        ),
        ApiRoute(
            store + "/file_batches",
            create_file_batch,
            method="POST",
            summary="Attach several files at once",
            tag=tag,
            request_model=CreateFileBatchRequest,
            response_model=VectorStoreFileBatch,
        ),
        ApiRoute(
            batch,
            retrieve_file_batch,
            method="GET",
            summary="Retrieve a file batch",
            tag=tag,
            response_model=VectorStoreFileBatch,
        ),
        ApiRoute(
            batch + "/cancel",
            cancel_file_batch,
            method="POST",
            summary="Cancel a file batch's pending files",
            tag=tag,
            response_model=VectorStoreFileBatch,
        ),
        ApiRoute(
            batch + "/files",
            list_file_batch_files,
            method="GET",
            summary="List a file batch's files",
            tag=tag,
            response_model=ListPage[VectorStoreFile],
        ),
    ]
