"""Safety's types: running a shield on messages, and OpenAI's moderations built on shields."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from plugstack.apis.inference.types import ChatMessage

__all__ = [
    "OPENAI_MODERATION_CATEGORIES",
    "ModerationRequest",
    "ModerationResponse",
    "ModerationResult",
    "RunShieldRequest",
    "RunShieldResponse",
    "SafetyViolation",
]

OPENAI_MODERATION_CATEGORIES: tuple[str, ...] = (
    "harassment",
    "harassment/threatening",
    "hate",
    "hate/threatening",
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/intent",
    "self-harm/instructions",
    "sexual",
    "sexual/minors",
    "violence",
    "violence/graphic",
)
"""The categories every OpenAI moderation result lists; a shield may report others beside them."""


class RunShieldRequest(BaseModel):
    """``POST /v1/safety/run-shield``; ``params`` override the shield's own for this call."""

    model_config = ConfigDict(extra="forbid")

    shield_id: str = Field(min_length=1)
    messages: list[ChatMessage] = Field(min_length=1)
    params: dict[str, Any] = Field(default_factory=dict)


class SafetyViolation(BaseModel):
    """What a shield found. ``error`` blocks; ``warn`` and ``info`` are reported only.

    ``categories`` names what was found (OpenAI's moderation categories where one fits,
    else the shield's own, such as ``pii/email`` or Llama Guard's ``S1``), and
    ``category_scores`` how sure the shield is of each, from 0 to 1.
    """

    violation_level: Literal["info", "warn", "error"]
    user_message: str | None = None
    categories: list[str] = Field(default_factory=list)
    category_scores: dict[str, float] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)


class RunShieldResponse(BaseModel):
    violation: SafetyViolation | None = None


class ModerationRequest(BaseModel):
    """``POST /v1/moderations``, as OpenAI defines it; ``model`` is a shield id (or a shield's model)."""

    model_config = ConfigDict(extra="forbid")

    input: str | list[str] | list[dict[str, Any]]
    model: str | None = None


class ModerationResult(BaseModel):
    flagged: bool
    categories: dict[str, bool]
    category_scores: dict[str, float]
    category_applied_input_types: dict[str, list[str]] = Field(default_factory=dict)


class ModerationResponse(BaseModel):
    id: str
    model: str
    results: list[ModerationResult]
