"""Shields: the routing table that maps a shield id to the safety provider serving it."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["RegisterShieldRequest", "Shield", "ShieldList"]


class Shield(BaseModel):
    """A shield as ``GET /v1/shields`` lists it: an id served by one safety provider."""

    model_config = ConfigDict(extra="allow")

    id: str
    object: Literal["shield"] = "shield"
    provider_id: str = ""
    provider_resource_id: str = ""
    params: dict[str, Any] = Field(default_factory=dict)


class ShieldList(BaseModel):
    object: Literal["list"] = "list"
    data: list[Shield]


class RegisterShieldRequest(BaseModel):
    """``POST /v1/shields``: serve ``provider_shield_id`` of ``provider_id`` as ``shield_id``."""

    model_config = ConfigDict(extra="forbid")

    shield_id: str = Field(min_length=1)
    provider_id: str | None = None
    provider_shield_id: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
