"""Tool groups: the routing table that maps a tool group id to the tool runtime provider serving it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["McpEndpoint", "RegisterToolGroupRequest", "ToolGroup", "ToolGroupList"]


class McpEndpoint(BaseModel):
    """Where an MCP tool group's server listens (Llama Stack's ``mcp_endpoint``)."""

    uri: str


class ToolGroup(BaseModel):
    """A tool group as ``GET /v1/toolgroups`` lists it: tools served by one tool runtime provider.

    ``args`` configure the group for its provider (an MCP server's transport and headers,
    the vector stores a file-search group searches); secret-looking entries are redacted
    when the group is shown, never when it is stored.
    """

    model_config = ConfigDict(extra="allow")

    id: str
    object: Literal["tool_group"] = "tool_group"
    provider_id: str = ""
    provider_resource_id: str = ""
    mcp_endpoint: McpEndpoint | None = None
    args: dict[str, Any] = Field(default_factory=dict)


class ToolGroupList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ToolGroup]


class RegisterToolGroupRequest(BaseModel):
    """``POST /v1/toolgroups``."""

    model_config = ConfigDict(extra="forbid")

    toolgroup_id: str = Field(min_length=1)
    provider_id: str | None = None
    provider_toolgroup_id: str | None = None
    mcp_endpoint: McpEndpoint | None = None
    args: dict[str, Any] = Field(default_factory=dict)
