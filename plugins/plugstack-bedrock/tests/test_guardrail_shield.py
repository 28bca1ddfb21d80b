"""What a Bedrock Guardrail shield reports, beyond the conformance suite, from recorded traffic.

Recorded against ministack's ApplyGuardrail with ``make_test_guardrail.py``'s guardrail
(see ``cassettes/README.md``): custom words, a regex, card numbers blocked, e-mail
addresses detected in input and masked in output.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from plugstack.apis.safety.types import OPENAI_MODERATION_CATEGORIES
from plugstack.apis.shields.types import RegisterShieldRequest
from plugstack.errors import BadRequestError, NotFoundError, NotImplementedByProviderError
from plugstack.stack import Stack

GUARDRAIL = json.loads((Path(__file__).parent / "cassettes" / "guardrail.json").read_text())
BLOCKED_INPUT = "Sorry, I cannot help with that: the request contains sensitive information."


def run_config(shields: list[dict[str, Any]]) -> dict[str, Any]:
    config = {
        "region": "us-east-1",
        "max_attempts": 1,
        "max_concurrent_requests": 1,  # see test_safety_conformance.py: vcrpy records one at a time
        "endpoint_url": "http://127.0.0.1:18432",
        "aws_access_key_id": "test",
        "aws_secret_access_key": "test",
    }
    return {
        "distribution_name": "bedrock-guardrail-shield",
        "providers": {"safety": [{"provider_id": "bedrock", "provider_type": "remote::bedrock", "config": config}]},
        "registered_resources": {"shields": shields},
    }


@pytest_asyncio.fixture
async def stack(plugstack_cassette: Any) -> AsyncIterator[Stack]:
    """``draft`` checks the DRAFT guardrail (no params); ``v1`` its published version 1."""
    shields = [
        {"shield_id": "draft", "provider_shield_id": GUARDRAIL["guardrail_id"]},
        {
            "shield_id": "v1",
            "provider_shield_id": GUARDRAIL["guardrail_id"],
            "params": {"guardrailVersion": GUARDRAIL["guardrail_version"]},
        },
    ]
    async with await Stack.from_config(run_config(shields)) as started:
        yield started


async def test_draft_is_the_default_version_and_a_custom_word_is_blocked(stack: Stack) -> None:
    """The replayed request's path is ``.../version/DRAFT/apply``: another version would not match."""
    response = await stack.safety.run_shield(
        shield_id="draft", messages=[{"role": "user", "content": "Say rumplestiltskin three times."}]
    )
    violation = response.violation
    assert violation is not None and violation.violation_level == "error"
    assert violation.user_message == BLOCKED_INPUT  # the guardrail's own blocked message
    assert violation.categories == ["word/custom"] and violation.category_scores == {"word/custom": 1.0}
    assert violation.metadata["guardrail_version"] == "DRAFT" and violation.metadata["source"] == "INPUT"
    [assessment] = violation.metadata["assessments"]
    assert assessment["wordPolicy"]["customWords"][0]["match"] == "rumplestiltskin"


async def test_a_regex_names_its_category(stack: Stack) -> None:
    response = await stack.safety.run_shield(
        shield_id="v1", messages=[{"role": "user", "content": "Look up employee EMP-123456 for me."}]
    )
    assert response.violation is not None and response.violation.categories == ["regex/employee_id"]


async def test_an_email_in_a_question_is_detected_not_blocked(stack: Stack) -> None:
    """The guardrail's input action for e-mail addresses is NONE: reported, let through."""
    messages = [{"role": "user", "content": "Write to bob@example.com about the meeting."}]
    assert (await stack.safety.run_shield(shield_id="v1", messages=messages)).violation is None
    moderation = await stack.safety.create_moderation(input=messages[0]["content"], model="v1")
    [result] = moderation.results
    assert not result.flagged
    assert result.categories["pii/email"] is False and result.category_scores["pii/email"] == 1.0
    assert set(OPENAI_MODERATION_CATEGORIES) <= set(result.categories)


async def test_an_email_in_an_answer_is_masked_which_blocks(stack: Stack) -> None:
    """Output action ANONYMIZE: plugstack cannot pass the masked text on instead, so it refuses."""
    messages = [
        {"role": "user", "content": "How do I reach Bob?"},
        {"role": "assistant", "content": "Write to bob@example.com."},
    ]
    violation = (await stack.safety.run_shield(shield_id="v1", messages=messages)).violation
    assert violation is not None and violation.violation_level == "error"
    assert violation.categories == ["pii/email"] and violation.metadata["source"] == "OUTPUT"
    assert violation.metadata["masked_outputs"] == ["Write to {EMAIL}."]
    assert "bob@example.com" not in (violation.user_message or "")


async def test_an_unknown_guardrail_is_a_404_with_aws_message(plugstack_cassette: Any) -> None:
    config = run_config([{"shield_id": "missing", "provider_shield_id": "gr-000000000000"}])
    async with await Stack.from_config(config) as stack:
        with pytest.raises(NotFoundError) as info:
            await stack.safety.run_shield(shield_id="missing", messages=[{"role": "user", "content": "hello"}])
    assert "gr-000000000000" in info.value.message


@pytest.mark.parametrize(
    ("params", "complaint"),
    [({"guardrailVersion": "latest"}, "guardrailVersion"), ({"version": 1}, "unknown params ['version']")],
)
async def test_bad_params_are_refused_when_the_shield_is_registered(
    plugstack_cassette: Any, params: dict[str, Any], complaint: str
) -> None:
    """No request is sent (the cassette is empty): the shield is checked at registration."""
    async with await Stack.from_config(run_config([])) as stack:
        with pytest.raises(BadRequestError) as info:
            await stack.shields.register(
                RegisterShieldRequest(shield_id="bad", provider_shield_id=GUARDRAIL["guardrail_id"], params=params)
            )
    assert complaint in info.value.message


async def test_images_in_the_judged_message_are_refused(plugstack_cassette: Any) -> None:
    """Not half-checked: the text would pass while the image went unseen."""
    config = run_config([{"shield_id": "draft", "provider_shield_id": GUARDRAIL["guardrail_id"]}])
    image = {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}
    async with await Stack.from_config(config) as stack:
        with pytest.raises(NotImplementedByProviderError):
            await stack.safety.run_shield(
                shield_id="draft", messages=[{"role": "user", "content": [{"type": "text", "text": "hi"}, image]}]
            )
