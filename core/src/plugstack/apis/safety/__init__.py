"""Safety: shields that check messages, routed by shield id (providers only so far: no router)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plugstack.apis.definition import ApiDefinition, lazy_reexport

if TYPE_CHECKING:
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

__getattr__ = lazy_reexport(__name__, "types", "provider")
