from __future__ import annotations

import subprocess
import sys

import pytest
from plugstack_bedrock.adapter import BedrockInferenceAdapter, create_provider
from plugstack_bedrock.config import BedrockConfig
from pydantic import SecretStr

from plugstack.apis import Api
from plugstack.errors import ProviderError
from plugstack.plugins import load_entry_points, new_plugin_host


def test_entry_point_registers_remote_bedrock_without_importing_boto3() -> None:
    code = (
        "import sys\n"
        "from plugstack.apis import Api\n"
        "from plugstack.plugins import load_entry_points, new_plugin_host\n"
        "host = new_plugin_host()\n"
        "load_entry_points(host)\n"
        "assert host.provider(Api.inference, 'remote::bedrock') is not None\n"
        "assert 'boto3' not in sys.modules and 'botocore' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_spec_names_importable_config_and_factory() -> None:
    host = new_plugin_host()
    load_entry_points(host)
    spec = host.provider(Api.inference, "remote::bedrock")
    assert spec is not None
    assert spec.load_config_class() is BedrockConfig
    assert callable(spec.load_adapter_factory())


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
