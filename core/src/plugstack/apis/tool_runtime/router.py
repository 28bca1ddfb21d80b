"""The tool runtime router: what ``stack.tool_runtime`` is, in library and server mode alike.

It lists the tools of every tool group (asking each group's provider, and keeping the
answer until the group changes or a tool is not found), and invokes a tool by name: the
arguments are checked against the tool's JSON schema first, so a provider only ever sees
arguments its tool declared.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import pluggy

from plugstack.api_call import call_api
from plugstack.apis.definition import RouterContext
from plugstack.apis.tool_groups.table import ToolGroupsTable, tool_groups_table
from plugstack.apis.tool_groups.types import RegisterToolGroupRequest, ToolGroup
from plugstack.apis.tool_runtime.arguments import check_arguments
from plugstack.apis.tool_runtime.types import InvokeToolRequest, ToolDef, ToolInvocationResult, ToolList
from plugstack.errors import ConflictError, NotFoundError, PlugstackError
from plugstack.validation import validate_request

__all__ = ["ToolRuntimeRouter", "build_routers"]

log = logging.getLogger("plugstack.tool_runtime")


async def build_routers(context: RouterContext) -> dict[str, object]:
    """The tool runtime router and the tool groups table it routes by."""
    groups = tool_groups_table(context.providers, context.kvstore)
    await groups.initialize(context.resources["tool_groups"])
    router = ToolRuntimeRouter(groups, context.pm, context.provider_types)
    return {"tool_runtime": router, "tool_groups": groups}


class ToolRuntimeRouter:
    def __init__(
        self, groups: ToolGroupsTable, pm: pluggy.PluginManager, provider_types: Mapping[str, str] | None = None
    ) -> None:
        self.groups = groups
        self.pm = pm
        self.provider_types = dict(provider_types or {})
        self._tools: dict[str, tuple[ToolGroup, list[ToolDef]]] = {}  # group id -> (group, its tools)

    async def register_tool_group(self, request: RegisterToolGroupRequest | None = None, /, **params: Any) -> ToolGroup:
        """Register a group with its provider (which may check its args); a 409 if the id is taken."""
        request = validate_request(RegisterToolGroupRequest, request, params)
        return await self.groups.register(request)

    async def unregister_tool_group(self, toolgroup_id: str) -> ToolGroup:
        self._tools.pop(toolgroup_id, None)
        return await self.groups.unregister(toolgroup_id)

    async def list_tools(self, toolgroup_id: str | None = None) -> ToolList:
        """The tools of one group, or of every group.

        Asked for one group, a provider's failure raises (503 when its server is down).
        Asked for all, a group whose provider fails is left out, with a warning in the log:
        one MCP server that is down must not hide every other tool.
        """
        if toolgroup_id is not None:
            return ToolList(data=await self._group_tools(self.groups.get(toolgroup_id)))
        tools: list[ToolDef] = []
        for group in self.groups.list():
            try:
                tools.extend(await self._group_tools(group))
            except PlugstackError as exc:
                log.warning("tool group %r left out of the tool list: %s", group.id, exc.message)
        return ToolList(data=tools)

    async def get_tool(self, tool_name: str) -> ToolDef:
        return (await self._find_tool(tool_name))[1]

    async def invoke_tool(self, request: InvokeToolRequest | None = None, /, **params: Any) -> ToolInvocationResult:
        """Call ``tool_name`` with ``kwargs``: a 404 for an unknown tool, a 400 for arguments its schema refuses."""
        request = validate_request(InvokeToolRequest, request, params)
        group, tool = await self._find_tool(request.tool_name)
        return await self.invoke_group_tool(group, tool, request.kwargs)

    def provider_id_of_type(self, provider_type: str) -> str | None:
        """The first provider of ``provider_type`` in the run config (``remote::model-context-protocol``...)."""
        return next((pid for pid, ptype in self.provider_types.items() if ptype == provider_type), None)

    async def list_group_tools(self, group: ToolGroup) -> list[ToolDef]:
        """The tools of ``group``, asked of its provider: also for a group the table does not hold.

        The Responses API serves the MCP servers a request names this way, as groups that
        live only in memory (never listed, never persisted: their headers are credentials).
        """
        provider = self.groups.provider(group)
        listed: list[ToolDef] = await call_api(self.pm, "tool_runtime", "list_tools", provider.list_tools, group=group)
        return [tool.model_copy(update={"toolgroup_id": group.id}) for tool in listed]

    async def invoke_group_tool(
        self, group: ToolGroup, tool: ToolDef, arguments: dict[str, Any]
    ) -> ToolInvocationResult:
        """Call ``tool`` of ``group`` with ``arguments``, checked against its schema first (a 400 if refused)."""
        check_arguments(tool, arguments)
        provider = self.groups.provider(group)
        result: ToolInvocationResult = await call_api(
            self.pm,
            "tool_runtime",
            "invoke_tool",
            provider.invoke_tool,
            group=group,
            tool_name=tool.name,
            arguments=arguments,
        )
        return result

    async def _group_tools(self, group: ToolGroup, *, refresh: bool = False) -> list[ToolDef]:
        cached = self._tools.get(group.id)
        if cached is not None and cached[0] is group and not refresh:
            return cached[1]
        tools = await self.list_group_tools(group)
        self._tools[group.id] = (group, tools)
        return tools

    async def _find_tool(self, tool_name: str) -> tuple[ToolGroup, ToolDef]:
        """The tool of that name and its group: from the groups' last listings, else listed anew.

        A name two groups serve is refused rather than routed to either: a model calls tools
        by name alone, so the name must say which tool runs.
        """
        for refresh in (False, True):
            found: list[tuple[ToolGroup, ToolDef]] = []
            for group in self.groups.list():
                try:
                    tools = await self._group_tools(group, refresh=refresh)
                except PlugstackError as exc:
                    log.warning("tool group %r could not list its tools: %s", group.id, exc.message)
                    continue
                found.extend((group, tool) for tool in tools if tool.name == tool_name)
            if len(found) > 1:
                raise ConflictError(
                    f"tool {tool_name!r} is served by tool groups {', '.join(repr(g.id) for g, _ in found)}; "
                    "give one of them another tool name (see its provider's config or the group's args)",
                    param="tool_name",
                )
            if found:
                return found[0]
        known = sorted(tool.name for _, tools in self._tools.values() for tool in tools)
        raise NotFoundError(
            f"tool {tool_name!r} not found; tools: {', '.join(known) or 'none'}",
            param="tool_name",
            code="tool_not_found",
        )
