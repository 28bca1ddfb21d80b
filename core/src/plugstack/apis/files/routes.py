"""``/v1/files``: upload (multipart), list, retrieve, download and delete files."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from plugstack.apis.files import FileDeleted, FileList, FileObject
from plugstack.errors import BadRequestError, NotImplementedByProviderError
from plugstack.server.routing import ApiRoute, json_response, query_int, query_order

if TYPE_CHECKING:
    from plugstack.stack import Stack

__all__ = ["routes"]


def routes(stack: Stack) -> list[ApiRoute]:
    async def create_file(request: Request) -> Response:
        async with request.form(max_files=1) as form:
            upload = form.get("file")
            purpose = form.get("purpose")
            if not isinstance(upload, UploadFile):
                raise BadRequestError("the multipart field 'file' (a file) is required", param="file")
            if not isinstance(purpose, str):
                raise BadRequestError("the multipart field 'purpose' is required", param="purpose")
            if form.get("expires_after") is not None:
                raise NotImplementedByProviderError(
                    "expires_after is not supported by plugstack yet", param="expires_after"
                )
            content = await upload.read()
            return json_response(await stack.files.create_file(content, upload.filename or "", purpose))

    async def list_files(request: Request) -> Response:
        listed = await stack.files.list_files(
            purpose=request.query_params.get("purpose"),
            limit=query_int(request, "limit", 10000),
            order=query_order(request),
            after=request.query_params.get("after"),
        )
        return json_response(listed)

    async def retrieve_file(request: Request) -> Response:
        return json_response(await stack.files.retrieve_file(request.path_params["file_id"]))

    async def file_content(request: Request) -> Response:
        content = await stack.files.file_content(request.path_params["file_id"])
        return Response(content, media_type="application/octet-stream")

    async def delete_file(request: Request) -> Response:
        return json_response(await stack.files.delete_file(request.path_params["file_id"]))

    return [
        ApiRoute(
            "/v1/files",
            create_file,
            method="POST",
            summary="Upload a file (multipart/form-data: file, purpose)",
            tag="files",
            response_model=FileObject,
        ),
        ApiRoute("/v1/files", list_files, method="GET", summary="List files", tag="files", response_model=FileList),
        ApiRoute(
            "/v1/files/{file_id}",
            retrieve_file,
            method="GET",
            summary="Retrieve a file's metadata",
            tag="files",
            response_model=FileObject,
        ),
        ApiRoute(
            "/v1/files/{file_id}/content", file_content, method="GET", summary="Download a file's content", tag="files"
        ),
        ApiRoute(
            "/v1/files/{file_id}",
            delete_file,
            method="DELETE",
            summary="Delete a file (and its chunks in every vector store)",
            tag="files",
            response_model=FileDeleted,
        ),
    ]
