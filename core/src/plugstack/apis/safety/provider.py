"""What a shield provider implements (auto-routed by shield id)."""

from __future__ import annotations

from typing import Protocol

from plugstack.apis.inference.types import ChatMessage
from plugstack.apis.safety.types import RunShieldResponse
from plugstack.apis.shields.types import Shield

__all__ = ["Safety"]


class Safety(Protocol):
    """A safety provider.

    ``run_shield`` gets the whole :class:`Shield` (its ``provider_resource_id`` and its
    ``params``, with the call's own params laid over them) and a conversation; it judges
    the conversation's **last message** (a user's request or an assistant's answer), the
    earlier ones being its context, and returns a violation, or none. Judging the last
    message only is what lets output guardrails check an answer without refusing it for
    what the user wrote (input guardrails check that). A shield that cannot decide (its model is down)
    raises a :class:`~plugstack.errors.PlugstackError`; it never answers "safe" instead.

    Optional methods :

    - ``async list_shields() -> list[Shield]``: shields served without registration;
    - ``async register_shield(shield: Shield) -> None``: check a shield's params when it
      is registered (raise :class:`~plugstack.errors.BadRequestError` on bad ones);
    - ``async run_moderation(shield: Shield, inputs: list[str]) -> list[ModerationResult]``:
      one OpenAI moderation result per input, with real scores. Without it, the router
      runs ``run_shield`` on each input as a user message.
    """

    async def run_shield(self, shield: Shield, messages: list[ChatMessage]) -> RunShieldResponse: ...
