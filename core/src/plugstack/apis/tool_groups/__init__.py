"""Tool groups: the routing table that maps a tool group id to the tool runtime provider serving it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plugstack.apis.definition import ApiDefinition, lazy_reexport

if TYPE_CHECKING:
    from plugstack.apis.tool_groups.types import McpEndpoint, RegisterToolGroupRequest, ToolGroup, ToolGroupList

__all__ = ["API", "McpEndpoint", "RegisterToolGroupRequest", "ToolGroup", "ToolGroupList"]

API = ApiDefinition(
    name="tool_groups",
    description="routing table of tool groups: register, list, get, unregister",
    table_of="tool_runtime",
    routes="plugstack.apis.tool_groups.routes:routes",
)


__getattr__ = lazy_reexport(__name__, "types")
