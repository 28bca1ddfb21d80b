"""What a shield provider implements (auto-routed by shield id)."""

from __future__ import annotations

from typing import Protocol

from plugstack.apis.inference.types import ChatMessage
from plugstack.apis.safety.types import RunShieldResponse

__all__ = ["Safety"]


class Safety(Protocol):
    async def run_shield(self, shield_id: str, messages: list[ChatMessage]) -> RunShieldResponse: ...
