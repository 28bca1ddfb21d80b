"""Tool runtime: the tools of tool groups (MCP servers, file search, web search, functions), listed and invoked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plugstack.apis.definition import ApiDefinition, lazy_reexport

if TYPE_CHECKING:
    from plugstack.apis.tool_runtime.provider import ToolRuntime
    from plugstack.apis.tool_runtime.types import InvokeToolRequest, ToolDef, ToolInvocationResult, ToolList

__all__ = ["API", "InvokeToolRequest", "ToolDef", "ToolInvocationResult", "ToolList", "ToolRuntime"]

API = ApiDefinition(
    name="tool_runtime",
    description="tools of tool groups (MCP, file search, web search, functions), listed and invoked",
    hookspecs="plugstack.apis.tool_runtime.hookspec",
    registration_hook="plugstack_tool_runtime_providers",
    protocol="plugstack.apis.tool_runtime.provider:ToolRuntime",
    optional_methods=frozenset({"list_tool_groups", "register_tool_group", "unregister_tool_group"}),
    router="plugstack.apis.tool_runtime.router:build_routers",
    routing_table="tool_groups",
    routes="plugstack.apis.tool_runtime.routes:routes",
    resources=("tool_groups",),
)

__getattr__ = lazy_reexport(__name__, "types", "provider")
