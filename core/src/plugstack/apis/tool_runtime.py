"""Tool runtime and tool groups: tools that agents can list and call.

Shape only so far. ``ToolRuntime`` is what a tool provider implements (auto-routed by tool
group id); ``ToolGroup`` is the resource the ``tool_groups`` routing table keeps.
"""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ToolDef", "ToolGroup", "ToolInvocationResult", "ToolRuntime"]


class ToolGroup(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    provider_id: str = ""
    provider_resource_id: str = ""
    args: dict[str, Any] = Field(default_factory=dict)


class ToolDef(BaseModel):
    name: str
    description: str = ""
    parameters: dict[str, Any] = Field(default_factory=dict)


class ToolInvocationResult(BaseModel):
    content: Any = None
    error_message: str | None = None


class ToolRuntime(Protocol):
    async def list_tools(self, tool_group_id: str) -> list[ToolDef]: ...
    async def invoke_tool(self, tool_name: str, kwargs: dict[str, Any]) -> ToolInvocationResult: ...
