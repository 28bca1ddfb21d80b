"""Guardrails: shields that guard the chat completions of chosen models.

The run config names them under ``registered_resources.guardrails``::

    registered_resources:
      guardrails:
      - models: ["*"]              # ids as callers name them; "*" is every model
        input_shields: [rules]     # run on the request's messages before inference
        output_shields: [rules]    # run on the answer (with the conversation before it)
        stream_check_chars: 200    # streamed answers are checked every 200 new characters

A shield's ``error`` violation refuses the request (400, code ``content_filter``); ``warn``
and ``info`` violations are logged only. Streamed chunks are held back until the text they
carry has been checked, so no unchecked text reaches the client; a violation ends the stream
with an error event. The Responses API applies the same :meth:`Guardrails.check` to its
own input and output.

A shield that itself asks a model (Llama Guard) calls the inference router while it runs:
such calls are never guarded (:func:`running_shield`), whether the shield runs for a
guardrail, a moderation or run-shield.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Iterator, Sequence
from contextvars import ContextVar
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from plugstack.apis.inference.types import ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, ChatMessage
from plugstack.apis.safety.types import SafetyViolation
from plugstack.errors import BadRequestError
from plugstack.streams import aclose

if TYPE_CHECKING:
    from plugstack.apis.safety.router import SafetyRouter

__all__ = ["GuardrailRule", "Guardrails", "ShieldViolationError", "running_shield"]

log = logging.getLogger("plugstack.safety")

_in_shield: ContextVar[bool] = ContextVar("plugstack_running_shield", default=False)


class GuardrailRule(BaseModel):
    """One entry of ``registered_resources.guardrails``."""

    model_config = ConfigDict(extra="forbid")

    models: list[str] = Field(min_length=1)
    input_shields: list[str] = Field(default_factory=list)
    output_shields: list[str] = Field(default_factory=list)
    stream_check_chars: int = Field(default=200, ge=1)

    def matches(self, model_id: str) -> bool:
        return "*" in self.models or model_id in self.models


class ShieldViolationError(BadRequestError):
    """A shield refused the request or the answer (400, code ``content_filter``)."""

    def __init__(self, shield_id: str, violation: SafetyViolation, *, where: str) -> None:
        reason = violation.user_message or "the content was flagged"
        categories = f" ({', '.join(violation.categories)})" if violation.categories else ""
        super().__init__(f"shield {shield_id!r} blocked the {where}: {reason}{categories}", code="content_filter")
        self.shield_id = shield_id
        self.violation = violation


class Guardrails:
    """The safety API's :class:`~plugstack.apis.inference.guard.ChatGuard`."""

    def __init__(self, safety: SafetyRouter, rules: Sequence[GuardrailRule]) -> None:
        self.safety = safety
        self.rules = list(rules)

    def rule_for(self, model_id: str) -> GuardrailRule | None:
        return next((rule for rule in self.rules if rule.matches(model_id)), None)

    def guards(self, model_id: str) -> bool:
        return not _in_shield.get() and self.rule_for(model_id) is not None

    async def check(self, shield_ids: Sequence[str], messages: list[ChatMessage], *, where: str) -> None:
        """Run each shield on ``messages``; raise :class:`ShieldViolationError` at the first ``error``."""
        for shield_id in shield_ids:
            response = await self.safety.check(self.safety.shields.get(shield_id), messages)
            violation = response.violation
            if violation is None:
                continue
            if violation.violation_level == "error":
                raise ShieldViolationError(shield_id, violation, where=where)
            log.warning("shield %r reported a %s violation in the %s", shield_id, violation.violation_level, where)

    async def check_request(self, request: ChatCompletionRequest) -> None:
        rule = self.rule_for(request.model)
        if rule is not None and rule.input_shields:
            await self.check(rule.input_shields, request.messages, where="request")

    async def check_completion(self, request: ChatCompletionRequest, completion: ChatCompletion) -> None:
        rule = self.rule_for(request.model)
        if rule is None or not rule.output_shields:
            return
        for choice in completion.choices:
            if choice.message.content:
                await self._check_answer(rule, request, choice.message.content)

    def guard_stream(
        self, request: ChatCompletionRequest, chunks: AsyncIterator[ChatCompletionChunk]
    ) -> AsyncIterator[ChatCompletionChunk]:
        rule = self.rule_for(request.model)
        if rule is None or not rule.output_shields:
            return chunks
        return self._checked_chunks(rule, request, chunks)

    async def _checked_chunks(
        self, rule: GuardrailRule, request: ChatCompletionRequest, chunks: AsyncIterator[ChatCompletionChunk]
    ) -> AsyncIterator[ChatCompletionChunk]:
        """``chunks``, each released only once the answer up to it has passed the output shields."""
        held: list[ChatCompletionChunk] = []
        texts: dict[int, str] = {}  # choice index -> answer so far
        unchecked: set[int] = set()  # choices with text not yet checked
        since_check = 0
        try:
            async for chunk in chunks:
                held.append(chunk)
                for choice in chunk.choices:
                    content = choice.delta.get("content")
                    if content:
                        texts[choice.index] = texts.get(choice.index, "") + content
                        unchecked.add(choice.index)
                        since_check += len(content)
                if since_check >= rule.stream_check_chars:
                    for index in sorted(unchecked):
                        await self._check_answer(rule, request, texts[index])
                    unchecked.clear()
                    since_check = 0
                    for ready in held:
                        yield ready
                    held.clear()
            for index in sorted(unchecked):
                await self._check_answer(rule, request, texts[index])
            for ready in held:
                yield ready
        finally:
            await aclose(chunks)

    async def _check_answer(self, rule: GuardrailRule, request: ChatCompletionRequest, text: str) -> None:
        answered = [*request.messages, ChatMessage(role="assistant", content=text)]
        await self.check(rule.output_shields, answered, where="answer")


@contextlib.contextmanager
def running_shield() -> Iterator[None]:
    """While a shield runs: the chat completions it asks for are not guarded."""
    token = _in_shield.set(True)
    try:
        yield
    finally:
        _in_shield.reset(token)
