"""What the stack checks about providers when it starts: their SDKs and their Protocol."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

import plugstack
from plugstack.errors import NotFoundError, ProviderError
from plugstack.plugins import PluginHost
from plugstack.protocols import missing_methods, optional_method
from plugstack.provider_spec import ProviderSpec
from plugstack.server.background import BackgroundServer
from plugstack.stack import Stack

MISSING_SDK = "plugstack_test_sdk_that_is_not_installed"


class GhostPlugin:
    """An inference provider whose SDK is not installed (its adapter is never imported)."""

    @plugstack.hookimpl
    def plugstack_inference_providers(self) -> list[ProviderSpec]:
        return [
            ProviderSpec(
                api="inference",
                provider_type="inline::ghost",
                config_class="plugstack.testing.echo:EchoConfig",
                adapter_factory="plugstack_test_sdk_that_is_not_installed.adapter:create_provider",
                sdk_modules={MISSING_SDK: "ghost-sdk>=2"},
            )
        ]


def ghost_config(tmp_path: Path) -> dict[str, Any]:
    return {
        "distribution_name": "ghost",
        "providers": {
            "inference": [
                {"provider_id": "echo", "provider_type": "inline::echo", "config": {}},
                {"provider_id": "ghost", "provider_type": "inline::ghost", "config": {}},
            ]
        },
        "storage": {"kvstore": {"db_path": str(tmp_path / "kv.db")}},
    }


@pytest.fixture
def ghost_host(host: PluginHost) -> PluginHost:
    assert host.register(GhostPlugin(), name="ghost")
    return host


async def test_a_missing_sdk_is_named_at_start_up_with_the_pip_command(
    ghost_host: PluginHost, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="plugstack.resolver"):
        stack = await Stack.from_config(ghost_config(tmp_path), host=ghost_host)
    async with stack:
        wanted = (
            f"provider ghost (inline::ghost) is unavailable: {MISSING_SDK} is not installed: pip install ghost-sdk>=2"
        )
        assert wanted in caplog.text
        health = {p["provider_id"]: p["health"] for p in await stack.provider_health()}
        assert health["echo"] == {"status": "OK"}
        assert health["ghost"]["status"] == "Error" and "pip install ghost-sdk>=2" in health["ghost"]["message"]
        # the rest of the stack serves; asking the unavailable provider says why it cannot answer
        assert await stack.inference.chat_completion(model="echo-1", messages=[{"role": "user", "content": "hi"}])
        with pytest.raises(NotFoundError, match=r"provider .ghost. could not list its models: .*pip install ghost-sdk"):
            await stack.inference.chat_completion(model="ghost-1", messages=[{"role": "user", "content": "hi"}])
        ghost = next(i.impl for i in stack.providers if i.provider_id == "ghost")
        with pytest.raises(ProviderError) as info:
            await ghost.embeddings(None)
        assert info.value.status_code == 503 and "provider 'ghost'" in info.value.message


def test_providers_health_over_http_names_the_missing_sdk(ghost_host: PluginHost, tmp_path: Path) -> None:
    with BackgroundServer(ghost_config(tmp_path), host=ghost_host) as server:
        providers = httpx.get(server.base_url + "/providers").json()["data"]
        ghost = next(p for p in providers if p["provider_id"] == "ghost")
        assert ghost["health"]["status"] == "Error" and "pip install ghost-sdk>=2" in ghost["health"]["message"]
        client = openai.OpenAI(base_url=server.base_url, api_key="unused", max_retries=0)
        with pytest.raises(openai.NotFoundError, match="pip install ghost-sdk"):
            client.chat.completions.create(model="ghost-1", messages=[{"role": "user", "content": "hi"}])


class Lazy:
    """Answers every attribute through ``__getattr__``, as the old scaffold did."""

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(f"{name} must not be probed")

    async def chat_completion(self, request: Any) -> Any: ...


def test_probes_never_ask_getattr() -> None:
    from plugstack.apis.inference import Inference

    lazy = Lazy()
    assert optional_method(lazy, "health") is None
    assert optional_method(lazy, "chat_completion") is not None
    assert missing_methods(lazy, Inference) == ["completion", "embeddings", "list_models"]
