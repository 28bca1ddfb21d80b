"""Safety: shields that check messages, OpenAI's moderations, and guardrails on chat completions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plugstack.apis.definition import ApiDefinition, lazy_reexport

if TYPE_CHECKING:
    from plugstack.apis.safety.provider import Safety
    from plugstack.apis.safety.types import (
        OPENAI_MODERATION_CATEGORIES,
        ModerationRequest,
        ModerationResponse,
        ModerationResult,
        RunShieldRequest,
        RunShieldResponse,
        SafetyViolation,
    )

__all__ = [
    "API",
    "OPENAI_MODERATION_CATEGORIES",
    "ModerationRequest",
    "ModerationResponse",
    "ModerationResult",
    "RunShieldRequest",
    "RunShieldResponse",
    "Safety",
    "SafetyViolation",
]

API = ApiDefinition(
    name="safety",
    description="shields that check messages, moderations, and guardrails on chat completions",
    hookspecs="plugstack.apis.safety.hookspec",
    registration_hook="plugstack_safety_providers",
    protocol="plugstack.apis.safety.provider:Safety",
    optional_methods=frozenset({"list_shields", "register_shield", "run_moderation"}),
    router="plugstack.apis.safety.router:build_routers",
    routing_table="shields",
    optional_needs=("inference",),
    routes="plugstack.apis.safety.routes:routes",
    resources=("shields", "guardrails"),
)

__getattr__ = lazy_reexport(__name__, "types", "provider")
