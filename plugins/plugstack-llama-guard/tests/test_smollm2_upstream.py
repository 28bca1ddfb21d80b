"""The shield against a real model that is not a guard model, replayed from cassettes.

The cassettes hold real traffic between ``remote::openai-compatible`` and llama-cpp-python's
own OpenAI-compatible server (``python -m llama_cpp.server``) serving SmolLM2-135M-Instruct
(see ``cassettes/README.md``). Asked the Llama Guard 3 prompt, SmolLM2 does not answer
``safe`` or ``unsafe``: it recites the category list. That is what a misconfigured shield
(a chat model named where a guard model should be) looks like, and the shield must then
fail loudly rather than let the conversation through.

Re-record: start the server as the README says, then
``PLUGSTACK_TEST_MODE=record pytest tests/test_smollm2_upstream.py``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from plugstack.apis.shields.types import RegisterShieldRequest
from plugstack.errors import BadRequestError, ProviderError
from plugstack.stack import Stack

BASE_URL = os.environ.get("PLUGSTACK_LLAMA_GUARD_TEST_SMOLLM2_URL", "http://127.0.0.1:8093/v1")
CHAT_MODEL = "smollm2-135m"  # the server's --model_alias


def run_config() -> dict[str, Any]:
    return {
        "distribution_name": "llama-guard-smollm2",
        "providers": {
            "inference": [
                {
                    "provider_id": "llama-server",
                    "provider_type": "remote::openai-compatible",
                    "config": {"base_url": BASE_URL},
                }
            ],
            "safety": [{"provider_id": "llama-guard", "provider_type": "inline::llama-guard", "config": {}}],
        },
        "registered_resources": {"shields": [{"shield_id": "not-a-guard", "provider_shield_id": CHAT_MODEL}]},
    }


@pytest_asyncio.fixture
async def stack(plugstack_cassette: Any) -> AsyncIterator[Stack]:
    async with await Stack.from_config(run_config()) as started:
        yield started


async def test_an_answer_in_no_known_format_is_an_error_not_safe(stack: Stack) -> None:
    messages = [{"role": "user", "content": "What is the capital of France?"}]
    with pytest.raises(ProviderError) as caught:
        await stack.safety.run_shield(shield_id="not-a-guard", messages=messages)
    error = caught.value
    assert error.code == "unparseable_guard_answer" and error.status_code == 502
    assert "'llama-guard'" in error.message, "the error names the provider"
    assert f"guard model {CHAT_MODEL!r} did not answer in the Llama Guard format" in error.message
    assert "cannot decide" in error.message
    assert "answer: 'S1: Violent Crimes." in error.message, "the error quotes what the model said"


async def test_a_moderation_fails_too_instead_of_unflagged(stack: Stack) -> None:
    with pytest.raises(ProviderError, match="did not answer in the Llama Guard format"):
        await stack.safety.create_moderation(input="Tell me about the weather.", model="not-a-guard")


async def test_a_shield_naming_a_model_nobody_serves_is_refused_listing_the_models(stack: Stack) -> None:
    request = RegisterShieldRequest(shield_id="typo", provider_shield_id="llama-guard-3-8b")
    with pytest.raises(BadRequestError) as caught:
        await stack.shields.register(request)
    assert caught.value.status_code == 400
    assert "guard model 'llama-guard-3-8b' is not served by this stack" in caught.value.message
    assert f"models: {CHAT_MODEL}" in caught.value.message, "the error lists the models the stack serves"
    assert [s.id for s in stack.shields.list()] == ["not-a-guard"]
