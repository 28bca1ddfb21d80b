from __future__ import annotations

import subprocess
import sys

import pytest
from plugstack_anthropic.adapter import AnthropicInferenceAdapter
from plugstack_anthropic.config import AnthropicConfig
from pydantic import SecretStr

from plugstack.apis import Api
from plugstack.errors import ConfigError, ProviderError
from plugstack.plugins import load_entry_points, new_plugin_host


def test_entry_point_registers_remote_anthropic_without_importing_the_sdk() -> None:
    code = (
        "import sys\n"
        "from plugstack.apis import Api\n"
        "from plugstack.plugins import load_entry_points, new_plugin_host\n"
        "host = new_plugin_host()\n"
        "load_entry_points(host)\n"
        "assert host.provider(Api.inference, 'remote::anthropic') is not None\n"
        "assert 'anthropic' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_spec_names_importable_config_and_factory() -> None:
    host = new_plugin_host()
    load_entry_points(host)
    spec = host.provider(Api.inference, "remote::anthropic")
    assert spec is not None
    assert spec.load_config_class() is AnthropicConfig
    assert callable(spec.load_adapter_factory())


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
