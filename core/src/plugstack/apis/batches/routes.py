"""``/v1/batches``: create, retrieve, cancel and list batches."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from plugstack.apis.batches.types import Batch, BatchList, CreateBatchRequest
from plugstack.server.routing import ApiRoute, json_response, query_int, read_body

if TYPE_CHECKING:
    from plugstack.stack import Stack

__all__ = ["routes"]


def routes(stack: Stack) -> list[ApiRoute]:
    async def create_batch(request: Request) -> Response:
        body = await read_body(request, CreateBatchRequest)
        return json_response(await stack.batches.create_batch(body))

    async def list_batches(request: Request) -> Response:
        listed = await stack.batches.list_batches(
            after=request.query_params.get("after"), limit=query_int(request, "limit", 20)
        )
        return json_response(listed)

    async def retrieve_batch(request: Request) -> Response:
        return json_response(await stack.batches.retrieve_batch(request.path_params["batch_id"]))

    async def cancel_batch(request: Request) -> Response:
        return json_response(await stack.batches.cancel_batch(request.path_params["batch_id"]))

    tag = "batches"
    return [
        ApiRoute(
            "/v1/batches",
            create_batch,
            method="POST",
            summary="Create a batch from a JSONL file of chat completion or embeddings requests",
            tag=tag,
            request_model=CreateBatchRequest,
            response_model=Batch,
        ),
        ApiRoute(
            "/v1/batches",
            list_batches,
            method="GET",
            summary="List batches, newest first",
            tag=tag,
            response_model=BatchList,
        ),
        ApiRoute(
            "/v1/batches/{batch_id}",
            retrieve_batch,
            method="GET",
            summary="Retrieve a batch (status, request counts, output and error files)",
            tag=tag,
            response_model=Batch,
        ),
        ApiRoute(
            "/v1/batches/{batch_id}/cancel",
            cancel_batch,
            method="POST",
            summary="Cancel a batch; it keeps the results so far",
            tag=tag,
            response_model=Batch,
        ),
    ]
