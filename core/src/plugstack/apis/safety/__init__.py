"""Safety: shields that check messages, routed by shield id (providers only so far: no router)."""

from __future__ import annotations

from plugstack.apis.definition import ApiDefinition
from plugstack.apis.safety.provider import Safety
from plugstack.apis.safety.types import (
    RunShieldResponse,
    SafetyViolation,
    Shield,
)

__all__ = ["API", "RunShieldResponse", "Safety", "SafetyViolation", "Shield"]

API = ApiDefinition(
    name="safety",
    description="shields that check messages, routed by shield id (no router yet)",
    hookspecs="plugstack.apis.safety.hookspec",
    registration_hook="plugstack_safety_providers",
    protocol="plugstack.apis.safety.provider:Safety",
)
