"""The tool groups routing table: which tool runtime provider serves each group (see :mod:`plugstack.routing_table`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from plugstack.apis.tool_groups.types import RegisterToolGroupRequest, ToolGroup
from plugstack.resource_table import ResourceTable
from plugstack.routing_table import RoutingTable
from plugstack.storage import KVStore

__all__ = ["ToolGroupsTable", "tool_groups_table"]

ToolGroupsTable = RoutingTable[ToolGroup, RegisterToolGroupRequest]


def tool_groups_table(providers: Mapping[str, Any], kvstore: KVStore) -> ToolGroupsTable:
    table = ResourceTable(
        "tool group", ToolGroup, providers, kvstore, key_prefix="tool_groups/", id_param="toolgroup_id"
    )
    return RoutingTable(
        table, RegisterToolGroupRequest, _tool_group, method_suffix="tool_group", config_key="tool_groups"
    )


def _tool_group(request: RegisterToolGroupRequest, provider_id: str) -> ToolGroup:
    return ToolGroup(
        id=request.toolgroup_id,
        provider_id=provider_id,
        provider_resource_id=request.provider_toolgroup_id or request.toolgroup_id,
        mcp_endpoint=request.mcp_endpoint,
        args=request.args,
    )
