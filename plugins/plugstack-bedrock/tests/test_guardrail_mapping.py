"""Translating ApplyGuardrail: requests from conversations, violations and moderations from answers.

The model-graded policies (content filters, denied topics, the managed profanity list,
contextual grounding) are evaluated by AWS only: ministack, the emulator the cassettes
come from, skips them, and no reachable server produces those assessments. So their
answers here are **fakes**, written after the response shapes of botocore's service model
(``botocore/data/bedrock-runtime/2023-09-30/service-2.json``, ``ApplyGuardrailResponse``)
and served by botocore's ``Stubber``, which checks them against that model (a field the
model lacks, a wrong type or a missing required field fails the test; enum values it does
not check, so those were copied from the model) and checks the request the provider sends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from botocore.stub import Stubber
from plugstack_bedrock.config import BedrockSafetyConfig
from plugstack_bedrock.guardrail import apply_guardrail_request, source_of, text_blocks
from plugstack_bedrock.safety import BedrockSafetyAdapter
from pydantic import SecretStr

from plugstack.apis.inference.types import ChatMessage
from plugstack.apis.safety.types import OPENAI_MODERATION_CATEGORIES
from plugstack.apis.shields.types import Shield

SHIELD = Shield(id="aws", provider_id="bedrock", provider_resource_id="abc123def456", params={"guardrailVersion": 3})
USAGE = {
    "topicPolicyUnits": 1,
    "contentPolicyUnits": 1,
    "wordPolicyUnits": 1,
    "sensitiveInformationPolicyUnits": 1,
    "sensitiveInformationPolicyFreeUnits": 0,
    "contextualGroundingPolicyUnits": 0,
}
INTERVENED = {
    "usage": USAGE,
    "action": "GUARDRAIL_INTERVENED",
    "actionReason": "Guardrail blocked.",
    "outputs": [{"text": "This topic is off limits."}],
    "assessments": [
        {
            "topicPolicy": {"topics": [{"name": "Investing", "type": "DENY", "action": "BLOCKED", "detected": True}]},
            "contentPolicy": {
                "filters": [
                    {"type": "INSULTS", "confidence": "MEDIUM", "filterStrength": "HIGH", "action": "BLOCKED"},
                    {"type": "VIOLENCE", "confidence": "LOW", "filterStrength": "LOW", "action": "NONE"},
                    {"type": "PROMPT_ATTACK", "confidence": "HIGH", "filterStrength": "HIGH", "action": "BLOCKED"},
                ]
            },
            "wordPolicy": {
                "customWords": [],
                "managedWordLists": [{"match": "darn", "type": "PROFANITY", "action": "BLOCKED", "detected": True}],
            },
        }
    ],
}
PASSED = {"usage": USAGE, "action": "NONE", "outputs": [], "assessments": [{}]}


@pytest_asyncio.fixture
async def stubbed() -> AsyncIterator[tuple[BedrockSafetyAdapter, Stubber]]:
    config = BedrockSafetyConfig(
        region="us-east-1", aws_access_key_id=SecretStr("test"), aws_secret_access_key=SecretStr("test")
    )
    adapter = BedrockSafetyAdapter(config)
    await adapter.initialize()
    with Stubber(adapter.runtime) as stubber:
        yield adapter, stubber
        stubber.assert_no_pending_responses()
    await adapter.shutdown()


def expected(source: str, *texts: str) -> dict[str, Any]:
    return {
        "guardrailIdentifier": "abc123def456",
        "guardrailVersion": "3",
        "source": source,
        "content": [{"text": {"text": t}} for t in texts],
    }


async def test_model_graded_findings_map_to_categories(stubbed: tuple[BedrockSafetyAdapter, Stubber]) -> None:
    adapter, stubber = stubbed
    stubber.add_response("apply_guardrail", INTERVENED, expected("INPUT", "You idiot, which stock should I buy?"))
    messages = [ChatMessage(role="user", content="You idiot, which stock should I buy?")]
    violation = (await adapter.run_shield(SHIELD, messages)).violation
    assert violation is not None and violation.violation_level == "error"
    assert violation.user_message == "This topic is off limits."
    # INSULTS is OpenAI's harassment; VIOLENCE was detected but not acted on, so it is no finding
    assert violation.categories == ["harassment", "prompt_attack", "topic/Investing", "word/profanity"]
    assert violation.category_scores["harassment"] == pytest.approx(2 / 3)
    assert violation.category_scores["prompt_attack"] == 1.0
    assert violation.metadata["action_reason"] == "Guardrail blocked."
    assert violation.metadata["guardrail_version"] == "3"


async def test_moderation_scores_every_finding_and_flags_the_acted_ones(
    stubbed: tuple[BedrockSafetyAdapter, Stubber],
) -> None:
    adapter, stubber = stubbed
    stubber.add_response("apply_guardrail", PASSED, expected("INPUT", "hello"))
    stubber.add_response("apply_guardrail", INTERVENED, expected("INPUT", "rude"))
    safe, unsafe = await adapter.run_moderation(SHIELD, ["hello", "rude"])
    assert not safe.flagged and not any(safe.categories.values())
    assert set(OPENAI_MODERATION_CATEGORIES) <= set(safe.categories)
    assert unsafe.flagged
    assert unsafe.categories["harassment"] and unsafe.categories["topic/Investing"]
    assert unsafe.categories["violence"] is False and unsafe.category_scores["violence"] == pytest.approx(1 / 3)
    assert unsafe.category_applied_input_types["harassment"] == ["text"]


async def test_an_answer_is_checked_as_output_without_the_question(
    stubbed: tuple[BedrockSafetyAdapter, Stubber],
) -> None:
    adapter, stubber = stubbed
    stubber.add_response("apply_guardrail", PASSED, expected("OUTPUT", "Index funds.", '{"ticker": "VTI"}'))
    messages = [
        ChatMessage(role="user", content="You idiot, which stock should I buy?"),
        ChatMessage(
            role="assistant",
            content=[{"type": "text", "text": "Index funds."}],
            tool_calls=[
                {"id": "c1", "type": "function", "function": {"name": "quote", "arguments": '{"ticker": "VTI"}'}}
            ],
        ),
    ]
    assert (await adapter.run_shield(SHIELD, messages)).violation is None


async def test_a_message_without_text_is_not_sent(stubbed: tuple[BedrockSafetyAdapter, Stubber]) -> None:
    """ApplyGuardrail refuses empty content; a tool call with no arguments has no text to judge."""
    adapter, _ = stubbed  # no response queued: a request would fail the Stubber
    calls = [{"id": "c1", "type": "function", "function": {"name": "now", "arguments": ""}}]
    messages = [ChatMessage(role="assistant", content=None, tool_calls=calls)]
    assert (await adapter.run_shield(SHIELD, messages)).violation is None


def test_stage_follows_the_last_turn() -> None:
    assert source_of([ChatMessage(role="user", content="q")]) == "INPUT"
    assert source_of([ChatMessage(role="user", content="q"), ChatMessage(role="assistant", content="a")]) == "OUTPUT"
    assert source_of([ChatMessage(role="assistant", content="a"), ChatMessage(role="tool", content="r")]) == "INPUT"


def test_draft_is_the_default_version_and_blank_texts_are_dropped() -> None:
    shield = Shield(id="s", provider_resource_id="gid")
    messages = [ChatMessage(role="user", content=[{"type": "text", "text": "  "}, {"type": "text", "text": "hi"}])]
    assert apply_guardrail_request(shield, messages) == {
        "guardrailIdentifier": "gid",
        "guardrailVersion": "DRAFT",
        "source": "INPUT",
        "content": [{"text": {"text": "hi"}}],
    }
    assert text_blocks([]) == []


def test_contextual_grounding_scores_the_shortfall() -> None:
    from plugstack_bedrock.guardrail import violation_from_response

    response = {
        "action": "GUARDRAIL_INTERVENED",
        "outputs": [{"text": "Not grounded."}],
        "assessments": [
            {
                "contextualGroundingPolicy": {
                    "filters": [{"type": "GROUNDING", "threshold": 0.7, "score": 0.25, "action": "BLOCKED"}]
                }
            }
        ],
    }
    violation = violation_from_response(response, guardrail_id="g", guardrail_version="1", source="OUTPUT")
    assert violation is not None and violation.category_scores == {"grounding/grounding": 0.75}
