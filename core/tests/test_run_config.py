from __future__ import annotations

from pathlib import Path

import pytest

from plugstack.apis import Api
from plugstack.errors import ConfigError
from plugstack.plugins import PluginHost
from plugstack.run_config import load_run_config
from plugstack.stack import Stack

RUN_YAML = """
version: 1
distribution_name: demo
apis: [inference]
providers:
  inference:
    - provider_id: ${env.OPENAI_API_KEY:+openai}
      provider_type: remote::openai
      config:
        api_key: ${env.OPENAI_API_KEY:=}
    - provider_id: echo
      provider_type: inline::echo
      config: {}
storage:
  kvstore:
    db_path: ${env.STATE:=/tmp/x}/kv.db
server:
  port: ${env.PORT:=9000}
  auth:
    api_keys: ["${env.PLUGSTACK_API_KEY:=secret-key}"]
"""


def test_loads_a_file_with_substitution(tmp_path: Path) -> None:
    path = tmp_path / "run.yaml"
    path.write_text(RUN_YAML)
    config = load_run_config(path, {"STATE": "/srv"})
    assert config.distribution_name == "demo"
    assert config.server.port == 9000
    assert config.storage.kvstore.db_path == "/srv/kv.db"
    assert [p.provider_id for _, p in config.enabled_providers(Api.inference)] == ["echo"]
    assert "secret-key" not in repr(config) and "secret-key" not in str(config.model_dump())


def test_validation_errors_name_file_path_and_expectation(tmp_path: Path) -> None:
    path = tmp_path / "run.yaml"
    path.write_text(
        "distribution_name: d\nserver:\n  port: not-a-port\nproviders:\n  inference:\n    - provider_type: x\n"
    )
    with pytest.raises(ConfigError) as info:
        load_run_config(path, {})
    message = str(info.value)
    assert f"{path}: server.port: Input should be a valid integer" in message
    assert f"{path}: providers.inference[0].provider_id: Field required" in message


async def test_unknown_api_and_bad_yaml_are_clear(tmp_path: Path, host: PluginHost) -> None:
    path = tmp_path / "run.yaml"
    # API names are checked at start-up, against the APIs the core and the plugins define
    path.write_text("distribution_name: d\nproviders:\n  telepathy: []\n")
    with pytest.raises(
        ConfigError, match=r"providers\.telepathy: unknown API 'telepathy'; APIs with providers: inference"
    ):
        await Stack.from_config(path, host=host)
    path.write_text("distribution_name: d\nproviders:\n  models: []\n")
    with pytest.raises(ConfigError, match=r"providers\.models: the models API takes no providers; list inference"):
        await Stack.from_config(path, host=host)
    path.write_text("distribution_name: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_run_config(path, {})
    with pytest.raises(ConfigError, match="no such run config"):
        load_run_config(tmp_path / "missing.yaml", {})


def test_secret_values_are_not_echoed_in_errors() -> None:
    with pytest.raises(ConfigError) as info:
        load_run_config({"distribution_name": "d", "server": {"auth": {"api_keys": "sk-very-secret"}}}, {})
    assert "sk-very-secret" not in str(info.value)
    assert "server.auth.api_keys" in str(info.value)
