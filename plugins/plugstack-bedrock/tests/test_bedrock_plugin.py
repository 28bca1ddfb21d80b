from __future__ import annotations

import pytest
from plugstack_bedrock.adapter import BedrockInferenceAdapter, create_provider
from plugstack_bedrock.config import BedrockConfig
from pydantic import SecretStr

from plugstack.errors import ProviderError


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
    adapter = await create_provider(config, {})
    try:
        with pytest.raises(ProviderError) as info:
            await adapter.health()
    finally:
        await adapter.shutdown()
    assert info.value.status_code == 503
