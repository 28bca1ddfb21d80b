"""``/v1/responses``: create (plain or streamed), retrieve, delete, and a response's input items."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from plugstack.apis.responses import CreateResponseRequest, InputItemList, ResponseDeleted, ResponseObject
from plugstack.apis.responses.sse import ResponseEventStream
from plugstack.server.routing import ApiRoute, json_response, query_int, query_order, read_body, request_info

if TYPE_CHECKING:
    from plugstack.stack import Stack

__all__ = ["routes"]


def routes(stack: Stack) -> list[ApiRoute]:
    def response_id(request: Request) -> str:
        return str(request.path_params["response_id"])

    async def create_response(request: Request) -> Response:
        body = await read_body(request, CreateResponseRequest)
        request_info(request).model = body.model
        if body.stream:
            return ResponseEventStream(await stack.responses.create_event_stream(body))  # type: ignore[return-value]
        return json_response(await stack.responses.create(body))

    async def retrieve_response(request: Request) -> Response:
        return json_response(await stack.responses.retrieve(response_id(request)))

    async def delete_response(request: Request) -> Response:
        return json_response(await stack.responses.delete(response_id(request)))

    async def list_input_items(request: Request) -> Response:
        params = request.query_params
        listed = await stack.responses.list_input_items(
            response_id(request),
            after=params.get("after"),
            before=params.get("before"),
            limit=query_int(request, "limit", 20),
            order=query_order(request),
            include=params.getlist("include[]") or params.getlist("include"),
        )
        return json_response(listed)

    base = "/v1/responses"
    one = base + "/{response_id}"
    tag = "responses"
    return [
        ApiRoute(
            base,
            create_response,
            method="POST",
            summary="Create a response: the model with tools, shields and stored state (streams typed SSE events)",
            tag=tag,
            request_model=CreateResponseRequest,
            response_model=ResponseObject,
            streams=True,
        ),
        ApiRoute(
            one,
            retrieve_response,
            method="GET",
            summary="Retrieve a stored response",
            tag=tag,
            response_model=ResponseObject,
        ),
        ApiRoute(
            one,
            delete_response,
            method="DELETE",
            summary="Delete a stored response",
            tag=tag,
            response_model=ResponseDeleted,
        ),
        ApiRoute(
            one + "/input_items",
            list_input_items,
            method="GET",
            summary="List a response's input items",
            tag=tag,
            response_model=InputItemList,
        ),
    ]
