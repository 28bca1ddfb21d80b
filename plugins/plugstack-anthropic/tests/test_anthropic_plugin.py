from __future__ import annotations

import pytest
from plugstack_anthropic.adapter import AnthropicInferenceAdapter
from plugstack_anthropic.config import AnthropicConfig
from pydantic import SecretStr

from plugstack.errors import ConfigError, ProviderError


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
