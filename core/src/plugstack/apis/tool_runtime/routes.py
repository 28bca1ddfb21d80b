"""``/v1/tools`` (the tools of every tool group) and ``/v1/tool-runtime/invoke``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from plugstack.apis.tool_runtime.types import InvokeToolRequest, ToolDef, ToolInvocationResult, ToolList
from plugstack.server.routing import ApiRoute, json_response, read_body

if TYPE_CHECKING:
    from plugstack.stack import Stack

__all__ = ["routes"]


def routes(stack: Stack) -> list[ApiRoute]:
    async def list_tools(request: Request) -> Response:
        return json_response(await stack.tool_runtime.list_tools(request.query_params.get("toolgroup_id")))

    async def get_tool(request: Request) -> Response:
        return json_response(await stack.tool_runtime.get_tool(request.path_params["tool_name"]))

    async def invoke_tool(request: Request) -> Response:
        body = await read_body(request, InvokeToolRequest)
        return json_response(await stack.tool_runtime.invoke_tool(body))

    return [
        ApiRoute(
            "/v1/tools",
            list_tools,
            method="GET",
            summary="List the tools of every tool group, or of ?toolgroup_id=, with their JSON-schema parameters",
            tag="tools",
            response_model=ToolList,
        ),
        ApiRoute(
            "/v1/tools/{tool_name:path}",
            get_tool,
            method="GET",
            summary="Retrieve a tool",
            tag="tools",
            response_model=ToolDef,
        ),
        ApiRoute(
            "/v1/tool-runtime/invoke",
            invoke_tool,
            method="POST",
            summary="Invoke a tool by name with arguments (checked against its schema)",
            tag="tools",
            request_model=InvokeToolRequest,
            response_model=ToolInvocationResult,
        ),
    ]
