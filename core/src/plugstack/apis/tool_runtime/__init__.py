"""Tool runtime: tools that agents can call, routed by tool group id (providers only so far: no router)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plugstack.apis.definition import ApiDefinition, lazy_reexport

if TYPE_CHECKING:
    from plugstack.apis.tool_runtime.provider import ToolRuntime
    from plugstack.apis.tool_runtime.types import (
        ToolDef,
        ToolGroup,
        ToolInvocationResult,
    )

__all__ = ["API", "ToolDef", "ToolGroup", "ToolInvocationResult", "ToolRuntime"]

API = ApiDefinition(
    name="tool_runtime",
    description="tools that agents can call, routed by tool group id (no router yet)",
    hookspecs="plugstack.apis.tool_runtime.hookspec",
    registration_hook="plugstack_tool_runtime_providers",
    protocol="plugstack.apis.tool_runtime.provider:ToolRuntime",
)

__getattr__ = lazy_reexport(__name__, "types", "provider")
