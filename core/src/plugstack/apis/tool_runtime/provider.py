"""What a tool provider implements (auto-routed by tool group id)."""

from __future__ import annotations

from typing import Any, Protocol

from plugstack.apis.tool_runtime.types import ToolDef, ToolInvocationResult

__all__ = ["ToolRuntime"]


class ToolRuntime(Protocol):
    async def list_tools(self, tool_group_id: str) -> list[ToolDef]: ...
    async def invoke_tool(self, tool_name: str, kwargs: dict[str, Any]) -> ToolInvocationResult: ...
