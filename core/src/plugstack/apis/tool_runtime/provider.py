"""What a tool runtime provider implements (auto-routed by tool group id)."""

from __future__ import annotations

from typing import Any, Protocol

from plugstack.apis.tool_groups.types import ToolGroup
from plugstack.apis.tool_runtime.types import ToolDef, ToolInvocationResult

__all__ = ["ToolRuntime"]


class ToolRuntime(Protocol):
    """A tool runtime provider: it lists and invokes the tools of the groups it serves.

    Both methods get the whole :class:`ToolGroup` (its ``provider_resource_id``,
    ``mcp_endpoint`` and ``args``). ``invoke_tool`` gets arguments already checked
    against the tool's schema. A tool that ran and failed answers with ``error_message``;
    a tool that could not be reached raises a :class:`~plugstack.errors.ProviderError`
    (503 when its server is down).

    Optional methods :

    - ``async list_tool_groups() -> list[ToolGroup]``: groups served without registration;
    - ``async register_tool_group(group: ToolGroup) -> None``: check a group's args when
      it is registered (raise :class:`~plugstack.errors.BadRequestError` on bad ones);
    - ``async unregister_tool_group(group: ToolGroup) -> None``: release what the group holds.
    """

    async def list_tools(self, group: ToolGroup) -> list[ToolDef]: ...

    async def invoke_tool(
        self, group: ToolGroup, tool_name: str, arguments: dict[str, Any]
    ) -> ToolInvocationResult: ...
