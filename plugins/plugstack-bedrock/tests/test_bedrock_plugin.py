from __future__ import annotations

import plugstack_bedrock
import pytest
from plugstack_bedrock.adapter import BedrockInferenceAdapter, create_provider
from plugstack_bedrock.config import BedrockConfig
from pydantic import SecretStr

from plugstack.errors import ProviderError
from plugstack.plugins import new_plugin_host
from plugstack.provider_context import ProviderContext
from plugstack.stack import Stack
from plugstack.testing.ports import refused_url


def test_credentials_are_secret_in_repr() -> None:
    config = BedrockConfig(
        aws_access_key_id=SecretStr("AKIAEXAMPLEEXAMPLE00"), aws_secret_access_key=SecretStr("doNotPrintMe")
    )
    assert "doNotPrintMe" not in repr(config)
    assert "AKIAEXAMPLE" not in str(config.model_dump())


async def test_configured_models_are_listed_without_calling_aws() -> None:
    adapter = BedrockInferenceAdapter(
        BedrockConfig(models=["amazon.nova-micro-v1:0"], embedding_models=["amazon.titan-embed-text-v2:0"])
    )
    try:
        models = {m.id: m.model_type for m in await adapter.list_models()}
    finally:
        await adapter.shutdown()
    assert models == {"amazon.nova-micro-v1:0": "llm", "amazon.titan-embed-text-v2:0": "embedding"}


async def test_unreachable_endpoint_is_unhealthy_with_a_503() -> None:
    """A real connection failure: nothing listens on 127.0.0.1 port 9."""
    config = BedrockConfig(
        region="us-east-1",
        endpoint_url="http://127.0.0.1:9",
        aws_access_key_id=SecretStr("test"),
        aws_secret_access_key=SecretStr("test"),
        max_attempts=1,
    )
    context = ProviderContext(api="inference", provider_id="bedrock", provider_type="remote::bedrock", routers={})
    adapter = await create_provider(config, context)
    try:
        with pytest.raises(ProviderError) as info:
            await adapter.health()
    finally:
        await adapter.shutdown()
    assert info.value.status_code == 503


async def test_two_bedrock_providers_name_their_own_provider_id_in_errors() -> None:
    """Two ``remote::bedrock`` entries of one run config: each one's errors say which one failed."""
    closed = refused_url()
    host = new_plugin_host()
    assert host.register(plugstack_bedrock, name="bedrock")
    config = {
        "distribution_name": "two-bedrocks",
        "providers": {
            "inference": [
                {
                    "provider_id": provider_id,
                    "provider_type": "remote::bedrock",
                    "config": {
                        "region": "us-east-1",
                        "endpoint_url": closed,
                        "aws_access_key_id": "test",
                        "aws_secret_access_key": "test",
                        "max_attempts": 1,
                        "models": [f"{provider_id}-model"],
                    },
                }
                for provider_id in ("bedrock-us", "bedrock-eu")
            ]
        },
    }
    async with await Stack.from_config(config, host=host) as stack:
        for provider_id in ("bedrock-us", "bedrock-eu"):
            with pytest.raises(ProviderError) as info:
                await stack.inference.chat_completion(
                    model=f"{provider_id}-model", messages=[{"role": "user", "content": "hi"}]
                )
            assert info.value.provider_id == provider_id and info.value.status_code == 503
            assert f"provider {provider_id!r}" in info.value.message
