"""Safety and shields: check messages before or after inference.

Shape only so far. ``Safety`` is what a shield provider implements (auto-routed by shield
id); ``Shield`` is the resource the ``shields`` routing table keeps.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from plugstack.apis.inference import ChatMessage

__all__ = ["RunShieldResponse", "Safety", "SafetyViolation", "Shield"]


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


class Safety(Protocol):
    async def run_shield(self, shield_id: str, messages: list[ChatMessage]) -> RunShieldResponse: ...
