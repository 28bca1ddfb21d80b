from __future__ import annotations

import pytest

from plugstack.env_substitution import substitute_env
from plugstack.errors import ConfigError


def test_plain_default_and_conditional_forms() -> None:
    env = {"HOST": "example", "EMPTY": "", "KEY": "sk-1"}
    raw = {
        "host": "${env.HOST}",
        "url": "http://${env.HOST}:${env.PORT:=8000}/v1",
        "fallback_when_empty": "${env.EMPTY:=fallback}",
        "enabled": "${env.KEY:+openai}",
        "disabled": "${env.MISSING:+openai}",
        "nested": [{"x": "${env.MISSING:=1}"}],
        "number": 3,
    }
    assert substitute_env(raw, env) == {
        "host": "example",
        "url": "http://example:8000/v1",
        "fallback_when_empty": "fallback",
        "enabled": "openai",
        "disabled": None,  # a whole-string substitution that resolves empty is None
        "nested": [{"x": "1"}],
        "number": 3,
    }


def test_unset_variable_without_default_names_the_yaml_path() -> None:
    with pytest.raises(ConfigError) as info:
        substitute_env({"providers": {"inference": [{"config": {"api_key": "${env.NOPE}"}}]}}, {}, source="run.yaml")
    message = str(info.value)
    assert "run.yaml: providers.inference[0].config.api_key" in message
    assert "NOPE is not set" in message
