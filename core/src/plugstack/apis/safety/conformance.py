"""The safety conformance suite: one set of tests every shield provider passes.

A plugin adopts it by subclassing :class:`SafetyConformance` in its ``tests/`` folder::

    # plugins/plugstack-foo/tests/test_conformance.py
    from typing import Any
    from plugstack.testing.safety_conformance import SafetyConformance

    class TestFooConformance(SafetyConformance):
        shield_id = "foo"                     # as the stack lists it
        unsafe_text = "my card is 4111 1111 1111 1111"   # text the shield blocks
        provider_type = "inline::foo"         # checks the entry point (None: in-process plugin)
        unsupported = {"deterministic": "foo samples its verdicts"}

        @classmethod
        def run_config(cls) -> dict[str, Any]:
            return {"distribution_name": "foo-safety", "providers": {"safety": [...]},
                    "registered_resources": {"shields": [{"shield_id": "foo"}]}}

Every test builds a :class:`plugstack.Stack` in library mode inside the
``plugstack_cassette`` fixture, so a shield that calls an upstream (a guard model, a
cloud guardrail) replays its recorded traffic; see :mod:`plugstack.testing.recording`.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from plugstack.apis.safety.types import OPENAI_MODERATION_CATEGORIES, RunShieldResponse
from plugstack.errors import NotFoundError
from plugstack.stack import Stack
from plugstack.testing.suite import ConformanceSuite, requires

__all__ = ["FEATURES", "SafetyConformance"]

FEATURES: dict[str, str] = {
    "multi_turn": "a conversation with system and assistant turns is checked, not refused",
    "judges_last_message": "an unsafe earlier turn does not flag a safe last message (it is context)",
    "assistant_output": "an unsafe assistant answer (the last turn) is caught, as output guardrails need",
    "deterministic": "the same conversation gets the same verdict, call after call",
    "moderation_batch": "a moderation of several inputs gives one result each, in order",
}


class SafetyConformance(ConformanceSuite):
    """Base class of a shield provider's conformance tests (see the module docstring)."""

    api = "safety"
    features = FEATURES
    shield_id: ClassVar[str]
    unsafe_text: ClassVar[str]
    """A user message the shield blocks (violation level ``error``)."""
    safe_text: ClassVar[str] = "What is the capital of France?"

    async def run(self, stack: Stack, messages: list[dict[str, Any]]) -> RunShieldResponse:
        response = await stack.safety.run_shield(shield_id=self.shield_id, messages=messages)
        assert isinstance(response, RunShieldResponse)
        return response

    # -- tests ----------------------------------------------------------------------------

    async def test_the_shield_is_listed(self, stack: Stack) -> None:
        shield = stack.shields.get(self.shield_id)
        assert shield.provider_id, "a listed shield names the provider serving it"

    async def test_safe_text_passes(self, stack: Stack) -> None:
        response = await self.run(stack, [{"role": "user", "content": self.safe_text}])
        assert response.violation is None, f"the shield flagged safe text: {response.violation}"

    async def test_unsafe_text_is_blocked_with_a_reason(self, stack: Stack) -> None:
        violation = (await self.run(stack, [{"role": "user", "content": self.unsafe_text}])).violation
        assert violation is not None, "the shield let the unsafe text pass"
        assert violation.violation_level == "error"
        assert violation.user_message, "a violation tells the user why"
        assert all(isinstance(c, str) and c for c in violation.categories)
        assert all(0.0 <= violation.category_scores[c] <= 1.0 for c in violation.category_scores)

    @requires("multi_turn")
    async def test_a_conversation_is_checked(self, stack: Stack) -> None:
        messages = [
            {"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": self.safe_text},
            {"role": "assistant", "content": "Paris."},
            {"role": "user", "content": self.unsafe_text},
        ]
        assert (await self.run(stack, messages)).violation is not None

    @requires("judges_last_message")
    async def test_earlier_turns_are_context_not_judged(self, stack: Stack) -> None:
        messages = [
            {"role": "user", "content": self.unsafe_text},
            {"role": "assistant", "content": "I can't help with that."},
        ]
        assert (await self.run(stack, messages)).violation is None

    @requires("assistant_output")
    async def test_an_unsafe_answer_is_caught(self, stack: Stack) -> None:
        messages = [
            {"role": "user", "content": "Tell me something."},
            {"role": "assistant", "content": self.unsafe_text},
        ]
        assert (await self.run(stack, messages)).violation is not None

    @requires("deterministic")
    async def test_the_same_conversation_gets_the_same_verdict(self, stack: Stack) -> None:
        messages = [{"role": "user", "content": self.unsafe_text}]
        first, second = await self.run(stack, messages), await self.run(stack, messages)
        assert first == second

    async def test_moderation_flags_the_unsafe_text(self, stack: Stack) -> None:
        response = await stack.safety.create_moderation(input=self.unsafe_text, model=self.shield_id)
        assert response.id.startswith("modr-") and response.model == self.shield_id
        [result] = response.results
        assert result.flagged
        assert set(OPENAI_MODERATION_CATEGORIES) <= set(result.categories), "every OpenAI category is listed"
        assert set(result.categories) == set(result.category_scores)

    @requires("moderation_batch")
    async def test_moderation_answers_each_input_in_order(self, stack: Stack) -> None:
        response = await stack.safety.create_moderation(
            input=[self.safe_text, self.unsafe_text, self.safe_text], model=self.shield_id
        )
        assert [r.flagged for r in response.results] == [False, True, False]

    async def test_an_unknown_shield_is_a_404(self, stack: Stack) -> None:
        with pytest.raises(NotFoundError):
            await stack.safety.run_shield(shield_id="no-such-shield", messages=[{"role": "user", "content": "hi"}])
