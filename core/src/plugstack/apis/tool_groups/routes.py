"""``/v1/toolgroups``: list, get, register and unregister tool groups.

A group's ``args`` may hold credentials (an MCP server's auth headers): what these routes
answer has every secret-looking entry redacted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from plugstack.apis.tool_groups.types import RegisterToolGroupRequest, ToolGroup, ToolGroupList
from plugstack.redaction import redact_config
from plugstack.server.routing import ApiRoute, json_response, read_body

if TYPE_CHECKING:
    from plugstack.stack import Stack

__all__ = ["routes"]


def shown(group: ToolGroup) -> ToolGroup:
    """``group`` as a client may see it: secrets in its args redacted."""
    return group.model_copy(update={"args": redact_config(group.args)})


def routes(stack: Stack) -> list[ApiRoute]:
    async def list_tool_groups(request: Request) -> Response:
        return json_response(ToolGroupList(data=[shown(g) for g in stack.tool_groups.list()]))

    async def get_tool_group(request: Request) -> Response:
        return json_response(shown(stack.tool_groups.get(request.path_params["toolgroup_id"])))

    async def register_tool_group(request: Request) -> Response:
        body = await read_body(request, RegisterToolGroupRequest)
        return json_response(shown(await stack.tool_runtime.register_tool_group(body)))

    async def unregister_tool_group(request: Request) -> Response:
        return json_response(shown(await stack.tool_runtime.unregister_tool_group(request.path_params["toolgroup_id"])))

    return [
        ApiRoute(
            "/v1/toolgroups",
            list_tool_groups,
            method="GET",
            summary="List tool groups",
            tag="tools",
            response_model=ToolGroupList,
        ),
        ApiRoute(
            "/v1/toolgroups",
            register_tool_group,
            method="POST",
            summary="Register a tool group (an MCP server, a set of functions...) with a tool runtime provider",
            tag="tools",
            request_model=RegisterToolGroupRequest,
            response_model=ToolGroup,
        ),
        ApiRoute(
            "/v1/toolgroups/{toolgroup_id:path}",
            get_tool_group,
            method="GET",
            summary="Retrieve a tool group",
            tag="tools",
            response_model=ToolGroup,
        ),
        ApiRoute(
            "/v1/toolgroups/{toolgroup_id:path}",
            unregister_tool_group,
            method="DELETE",
            summary="Unregister a tool group registered through the API or run config (answers the group)",
            tag="tools",
            response_model=ToolGroup,
        ),
    ]
