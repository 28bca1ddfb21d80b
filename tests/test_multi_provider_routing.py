"""One run config with the Groq, Bedrock and Anthropic providers: the models API lists the
models of all three, and each model's requests reach its own provider.

Replayed from ``tests/cassettes/test_multi_provider_routing/``, recorded against the same
local servers as each plugin's own cassettes (see their ``tests/cassettes/README.md``):
llama_cpp.server under ``/openai`` for Groq, ministack for Bedrock, LiteLLM for Anthropic.
A request sent to the wrong provider has a different path and body, so it would miss the
cassette and fail the test.
"""

from __future__ import annotations

from typing import Any

import pytest

from plugstack.apis.inference import ChatCompletion
from plugstack.stack import Stack

pytest.importorskip("plugstack_groq")
pytest.importorskip("plugstack_bedrock")
pytest.importorskip("plugstack_anthropic")

RUN_CONFIG: dict[str, Any] = {
    "distribution_name": "multi-provider",
    "providers": {
        "inference": [
            {
                "provider_id": "groq",
                "provider_type": "remote::groq",
                "config": {"api_key": "plugstack-local-key", "base_url": "http://127.0.0.1:18431", "max_retries": 0},
            },
            {
                "provider_id": "bedrock",
                "provider_type": "remote::bedrock",
                "config": {
                    "region": "us-east-1",
                    "endpoint_url": "http://127.0.0.1:18432",
                    "aws_access_key_id": "test",
                    "aws_secret_access_key": "test",
                    "max_attempts": 1,
                },
            },
            {
                "provider_id": "anthropic",
                "provider_type": "remote::anthropic",
                "config": {"api_key": "plugstack-local-key", "base_url": "http://127.0.0.1:18434", "max_retries": 0},
            },
        ]
    },
}
MODELS = {"smollm2-135m": "groq", "amazon.nova-micro-v1:0": "bedrock", "claude-smollm2": "anthropic"}


@pytest.fixture
def plugstack_vcr_options() -> dict[str, Any]:
    """The groq and anthropic SDKs run httpx's API over aiohttp: record aiohttp only."""
    return {"skip_patchers": ("httpx",)}


async def test_models_of_every_provider_are_listed_and_routed(plugstack_cassette: Any) -> None:
    async with await Stack.from_config(RUN_CONFIG) as stack:
        listed = {model.id: model.provider_id for model in (await stack.models.list_models()).data}
        for model_id, provider_id in MODELS.items():
            assert listed.get(model_id) == provider_id, f"{model_id} should be served by {provider_id}"
        assert {"groq", "bedrock", "anthropic"} <= set(listed.values())
        for model_id in MODELS:
            reply = await stack.inference.chat_completion(
                model=model_id, messages=[{"role": "user", "content": "Name a colour."}], max_tokens=8, temperature=0
            )
            assert isinstance(reply, ChatCompletion)
            assert reply.model == model_id
            assert reply.choices[0].message.content
