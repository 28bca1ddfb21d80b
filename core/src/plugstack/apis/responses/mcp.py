"""The ``mcp`` tool of a response: an MCP server's tools, run by the ``remote::model-context-protocol`` provider.

Decision: each server a response names (its ``server_url`` and ``headers``) becomes an
*ephemeral* tool group, a :class:`ToolGroup` this module keeps in memory and hands straight
to the MCP provider, through the ``plugstack_api_call`` hook as the tool runtime router
does (arguments checked against the tool's schema first). It is not registered in the
tool groups table: a response's server must not show up in ``GET /v1/toolgroups``, its
headers (credentials) must not be persisted in the kvstore, and calling by tool name
across every group (the router's ``invoke_tool``) could pick another group's tool of the
same name. One group per distinct server (its id is a digest of url and headers), so
the provider reuses its MCP session across responses.

The tool runtime router lists and invokes such groups (``list_group_tools``,
``invoke_group_tool``) with the checks and hooks of its registered ones.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from plugstack.apis.responses.types import McpTool
from plugstack.apis.tool_groups.types import McpEndpoint, ToolGroup
from plugstack.apis.tool_runtime.router import ToolRuntimeRouter
from plugstack.apis.tool_runtime.types import ToolDef, ToolInvocationResult
from plugstack.errors import BadRequestError, NotImplementedByProviderError

__all__ = ["MCP_PROVIDER_TYPE", "McpServers"]

MCP_PROVIDER_TYPE = "remote::model-context-protocol"


class McpServers:
    def __init__(self, tool_runtime: ToolRuntimeRouter | None) -> None:
        self.tool_runtime = tool_runtime
        self.provider_id = tool_runtime.provider_id_of_type(MCP_PROVIDER_TYPE) if tool_runtime else None

    def group(self, tool: McpTool, index: int) -> ToolGroup:
        """The ephemeral group of the tool's server; a 400/501 naming the field for what cannot run here."""
        where = f"tools.{index}"
        if tool.connector_id is not None:
            raise NotImplementedByProviderError("MCP connectors are not supported; give a server_url", param=where)
        if tool.require_approval not in (None, "never"):
            raise NotImplementedByProviderError(
                "require_approval: only 'never' is supported (plugstack runs MCP tools without asking)",
                param=f"{where}.require_approval",
            )
        if not tool.server_url:
            raise BadRequestError("an mcp tool needs a server_url", param=f"{where}.server_url")
        if self.provider_id is None:
            raise BadRequestError(
                f"mcp tools need a {MCP_PROVIDER_TYPE} tool runtime provider; the run config enables none",
                param=f"{where}.type",
            )
        headers = dict(tool.headers or {})
        if tool.authorization:
            headers["Authorization"] = f"Bearer {tool.authorization}"
        digest = hashlib.sha256(json.dumps([tool.server_url, sorted(headers.items())]).encode()).hexdigest()[:16]
        group_id = f"responses::mcp::{digest}"
        return ToolGroup(
            id=group_id,
            provider_id=self.provider_id,
            provider_resource_id=group_id,
            mcp_endpoint=McpEndpoint(uri=tool.server_url),
            args={"headers": headers} if headers else {},
        )

    async def list_tools(self, group: ToolGroup) -> list[ToolDef]:
        assert self.tool_runtime is not None  # group() refused the tool otherwise
        return await self.tool_runtime.list_group_tools(group)

    async def invoke(self, group: ToolGroup, tool: ToolDef, arguments: dict[str, Any]) -> ToolInvocationResult:
        """Call ``tool`` with ``arguments`` (a 400 if its schema refuses them)."""
        assert self.tool_runtime is not None
        return await self.tool_runtime.invoke_group_tool(group, tool, arguments)
