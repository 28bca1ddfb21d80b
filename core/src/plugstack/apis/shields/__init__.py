"""Shields: the routing table that maps a shield id to the safety provider serving it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plugstack.apis.definition import ApiDefinition, lazy_reexport

if TYPE_CHECKING:
    from plugstack.apis.shields.types import RegisterShieldRequest, Shield, ShieldList

__all__ = ["API", "RegisterShieldRequest", "Shield", "ShieldList"]

API = ApiDefinition(
    name="shields",
    description="routing table of shields: register, list, get, unregister",
    table_of="safety",
    routes="plugstack.apis.shields.routes:routes",
)

__getattr__ = lazy_reexport(__name__, "types")
