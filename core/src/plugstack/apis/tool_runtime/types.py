"""Tool runtime's types: the tools of tool groups, and calling them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "InvokeToolRequest",
    "ToolDef",
    "ToolInvocationResult",
    "ToolList",
]


class ToolDef(BaseModel):
    """One tool: ``parameters`` is the JSON schema of its arguments (an object schema)."""

    name: str
    description: str = ""
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})
    toolgroup_id: str = ""
    metadata: dict[str, Any] = Field(default_factory=dict)


class ToolList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ToolDef]


class InvokeToolRequest(BaseModel):
    """``POST /v1/tool-runtime/invoke``: call ``tool_name`` with ``kwargs`` (checked against its schema)."""

    model_config = ConfigDict(extra="forbid")

    tool_name: str = Field(min_length=1)
    kwargs: dict[str, Any] = Field(default_factory=dict)


class ToolInvocationResult(BaseModel):
    """What a tool answered.

    ``content`` is text, or a list of content parts (``{"type": "text", "text": ...}``,
    ``{"type": "image", "data": <base64>, "mime_type": ...}``). A tool that ran and failed
    (an MCP tool's ``isError``, an exception in a Python tool) sets ``error_message``;
    a provider that could not reach the tool raises instead.
    """

    content: str | list[dict[str, Any]] | None = None
    error_message: str | None = None
    error_code: int | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
