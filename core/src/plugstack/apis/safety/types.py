"""Safety's types: shields that check messages before or after inference.

Providers can register and start; the API has no router yet, so nothing routes to them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["RunShieldResponse", "SafetyViolation", "Shield"]


class Shield(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    provider_id: str = ""
    provider_resource_id: str = ""
    params: dict[str, Any] = Field(default_factory=dict)


class SafetyViolation(BaseModel):
    violation_level: Literal["info", "warn", "error"]
    user_message: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class RunShieldResponse(BaseModel):
    violation: SafetyViolation | None = None
