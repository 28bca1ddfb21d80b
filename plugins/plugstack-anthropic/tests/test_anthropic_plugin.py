from __future__ import annotations

import plugstack_anthropic
import pytest
from plugstack_anthropic.adapter import AnthropicInferenceAdapter
from plugstack_anthropic.config import AnthropicConfig
from pydantic import SecretStr

from plugstack.errors import ConfigError, ProviderError
from plugstack.plugins import new_plugin_host
from plugstack.stack import Stack
from plugstack.testing.ports import refused_url


def test_api_key_is_secret_in_repr() -> None:
    config = AnthropicConfig(api_key=SecretStr("sk-ant-doNotPrintMe"))
    assert "doNotPrintMe" not in repr(config)
    assert "doNotPrintMe" not in str(config.model_dump())


def test_missing_api_key_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="api_key"):
        AnthropicInferenceAdapter(AnthropicConfig())


async def test_unreachable_upstream_is_unhealthy_with_a_503() -> None:
    """A real connection failure: nothing listens on 127.0.0.1 port 9."""
    adapter = AnthropicInferenceAdapter(
        AnthropicConfig(api_key=SecretStr("k"), base_url="http://127.0.0.1:9", max_retries=0)
    )
    try:
        with pytest.raises(ProviderError) as info:
            await adapter.health()
    finally:
        await adapter.shutdown()
    assert info.value.status_code == 503


async def test_two_anthropic_providers_name_their_own_provider_id_in_errors() -> None:
    """Two ``remote::anthropic`` entries of one run config: each one's errors say which one failed."""
    closed = refused_url()
    host = new_plugin_host()
    assert host.register(plugstack_anthropic, name="anthropic")
    config = {
        "distribution_name": "two-anthropics",
        "providers": {
            "inference": [
                {
                    "provider_id": provider_id,
                    "provider_type": "remote::anthropic",
                    "config": {
                        "api_key": "k",
                        "base_url": closed,
                        "max_retries": 0,
                        "models": [f"{provider_id}-model"],
                    },
                }
                for provider_id in ("claude-work", "claude-home")
            ]
        },
    }
    async with await Stack.from_config(config, host=host) as stack:
        for provider_id in ("claude-work", "claude-home"):
            with pytest.raises(ProviderError) as info:
                await stack.inference.chat_completion(
                    model=f"{provider_id}-model", messages=[{"role": "user", "content": "hi"}], max_tokens=5
                )
            assert info.value.provider_id == provider_id
            assert f"provider {provider_id!r}" in info.value.message
