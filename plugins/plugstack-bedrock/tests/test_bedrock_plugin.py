from __future__ import annotations

import subprocess
import sys

from plugstack_bedrock.adapter import BedrockInferenceAdapter
from plugstack_bedrock.config import BedrockConfig
from pydantic import SecretStr

from plugstack.apis import Api
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
