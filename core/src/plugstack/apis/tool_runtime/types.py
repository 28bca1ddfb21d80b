"""Tool runtime's types: tools that agents can list and call, grouped in tool groups.

Providers can register and start; the API has no router yet, so nothing routes to them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ToolDef", "ToolGroup", "ToolInvocationResult"]


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
