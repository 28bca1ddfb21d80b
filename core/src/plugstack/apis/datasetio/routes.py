"""``/v1/datasetio/iterrows/{dataset_id}`` and ``/v1/datasetio/append-rows/{dataset_id}`` (Llama Stack's)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from plugstack.apis.datasetio.types import AppendRowsRequest, AppendRowsResponse, IterRowsResponse
from plugstack.server.routing import ApiRoute, json_response, query_int, read_body

if TYPE_CHECKING:
    from plugstack.stack import Stack

__all__ = ["routes"]


def routes(stack: Stack) -> list[ApiRoute]:
    async def iterrows(request: Request) -> Response:
        limit = query_int(request, "limit", -1)
        page = await stack.datasetio.iterrows(
            request.path_params["dataset_id"], start_index=query_int(request, "start_index", 0), limit=limit
        )
        return json_response(page)

    async def append_rows(request: Request) -> Response:
        body = await read_body(request, AppendRowsRequest)
        return json_response(await stack.datasetio.append_rows(request.path_params["dataset_id"], body))

    return [
        ApiRoute(
            "/v1/datasetio/iterrows/{dataset_id:path}",
            iterrows,
            method="GET",
            summary="A page of a dataset's rows: ?start_index= (default 0) and ?limit= (default every row)",
            tag="datasets",
            response_model=IterRowsResponse,
        ),
        ApiRoute(
            "/v1/datasetio/append-rows/{dataset_id:path}",
            append_rows,
            method="POST",
            summary="Append rows to a dataset (rows datasets and local JSONL files)",
            tag="datasets",
            request_model=AppendRowsRequest,
            response_model=AppendRowsResponse,
        ),
    ]
