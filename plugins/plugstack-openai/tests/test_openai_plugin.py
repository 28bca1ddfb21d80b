"""Discovery, configuration, and remote::openai-compatible against plugstack's own server.

plugstack's server speaks the OpenAI API, so it is a real upstream for this provider: a
stack whose only provider is ``inline::echo``, served by uvicorn on 127.0.0.1.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from plugstack_openai.adapter import OpenAIProvider, create_provider
from plugstack_openai.config import OpenAICompatibleConfig, OpenAIConfig
from pydantic import SecretStr, ValidationError

from plugstack import Stack
from plugstack.apis import Api
from plugstack.apis.inference import ChatCompletionRequest, CompletionRequest, EmbeddingsRequest
from plugstack.errors import AuthenticationError, NotFoundError, ProviderError
from plugstack.plugins import load_entry_points, new_plugin_host
from plugstack.provider_context import ProviderContext
from plugstack.server.background import BackgroundServer
from plugstack.testing.echo import EchoPlugin
from plugstack.testing.ports import refused_url


def test_entry_point_registers_both_providers_without_importing_the_adapter() -> None:
    code = (
        "import sys\n"
        "from plugstack.apis import Api\n"
        "from plugstack.plugins import load_entry_points, new_plugin_host\n"
        "host = new_plugin_host()\n"
        "load_entry_points(host)\n"
        "for kind in ('remote::openai', 'remote::openai-compatible'):\n"
        "    assert host.provider(Api.inference, kind) is not None, kind\n"
        "assert 'plugstack_openai.adapter' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_specs_name_their_config_and_the_shared_factory() -> None:
    host = new_plugin_host()
    load_entry_points(host)
    openai = host.provider(Api.inference, "remote::openai")
    compatible = host.provider(Api.inference, "remote::openai-compatible")
    assert openai is not None and compatible is not None
    assert openai.load_config_class() is OpenAIConfig
    assert compatible.load_config_class() is OpenAICompatibleConfig
    assert openai.load_adapter_factory() is compatible.load_adapter_factory() is create_provider


def test_config_defaults_and_secrecy() -> None:
    config = OpenAIConfig(api_key=SecretStr("sk-" + "doNotPrintMe0000000000"))
    assert config.base_url == "https://api.openai.com/v1" and config.timeout == 60 and config.models is None
    assert "doNotPrintMe" not in repr(config) and "doNotPrintMe" not in str(config.model_dump())
    with pytest.raises(ValidationError, match="base_url"):
        OpenAICompatibleConfig()  # type: ignore[call-arg]


async def test_the_factory_names_errors_after_the_run_configs_provider_id() -> None:
    def context(provider_id: str, provider_type: str) -> ProviderContext:
        return ProviderContext(api="inference", provider_id=provider_id, provider_type=provider_type, routers={})

    openai = await create_provider(OpenAIConfig(), context("gpt", "remote::openai"))
    compatible = await create_provider(
        OpenAICompatibleConfig(base_url="http://127.0.0.1:1/v1"), context("vllm", "remote::openai-compatible")
    )
    assert (openai.provider_id, compatible.provider_id) == ("gpt", "vllm")


async def test_two_openai_compatible_providers_name_their_own_provider_id_in_errors() -> None:
    """A vLLM and an Ollama ``remote::openai-compatible`` in one run config, both down: each error says which."""
    closed = refused_url() + "/v1"
    config = {
        "distribution_name": "two-upstreams",
        "providers": {
            "inference": [
                {
                    "provider_id": provider_id,
                    "provider_type": "remote::openai-compatible",
                    "config": {"base_url": closed, "models": [f"{provider_id}-model"]},
                }
                for provider_id in ("vllm", "ollama")
            ]
        },
    }
    async with await Stack.from_config(config) as stack:
        for provider_id, other in (("vllm", "ollama"), ("ollama", "vllm")):
            with pytest.raises(ProviderError) as info:
                await stack.inference.chat_completion(
                    model=f"{provider_id}-model", messages=[{"role": "user", "content": "x"}]
                )
            assert info.value.provider_id == provider_id and info.value.status_code == 503
            assert f"provider {provider_id!r}" in info.value.message and other not in info.value.message


@pytest.fixture(scope="module")
def plugstack_upstream() -> Iterator[BackgroundServer]:
    host = new_plugin_host()
    assert host.register(EchoPlugin(), name="echo")
    config = {
        "distribution_name": "echo-upstream",
        "providers": {"inference": [{"provider_id": "echo", "provider_type": "inline::echo", "config": {}}]},
    }
    with BackgroundServer(config, host=host) as server:
        yield server


async def test_chat_stream_completion_and_embeddings_from_a_plugstack_server(
    plugstack_upstream: BackgroundServer,
) -> None:
    provider = OpenAIProvider(OpenAICompatibleConfig(base_url=plugstack_upstream.base_url))
    messages: list[dict[str, Any]] = [{"role": "user", "content": "hello there world"}]
    try:
        models = {m.id: m.model_type for m in await provider.list_models()}
        reply = await provider.chat_completion(
            ChatCompletionRequest.model_validate({"model": "echo-1", "messages": messages})
        )
        stream = await provider.chat_completion(
            ChatCompletionRequest.model_validate(
                {"model": "echo-1", "messages": messages, "stream": True, "stream_options": {"include_usage": True}}
            )
        )
        assert isinstance(stream, AsyncIterator)
        chunks = [chunk async for chunk in stream]
        text = await provider.completion(CompletionRequest(model="echo-1", prompt="one two three", max_tokens=2))
        vectors = await provider.embeddings(EmbeddingsRequest(model="echo-embed", input=["a", "b"]))
        health = await provider.health()
    finally:
        await provider.shutdown()
    assert models == {"echo-1": "llm", "echo-embed": "embedding"}
    assert not isinstance(reply, AsyncIterator) and reply.choices[0].message.content == "hello there world"
    assert "".join(c.choices[0].delta.get("content") or "" for c in chunks if c.choices) == "hello there world"
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 3
    assert (
        not isinstance(text, AsyncIterator)
        and text.choices[0].text == "one two"
        and text.choices[0].finish_reason == "length"
    )
    assert [len(item.embedding) for item in vectors.data] == [8, 8]
    assert health == {"status": "OK"}


async def test_errors_of_a_plugstack_server_come_back_typed(plugstack_upstream: BackgroundServer) -> None:
    config = {
        "distribution_name": "via-http",
        "providers": {
            "inference": [
                {
                    "provider_id": "remote",
                    "provider_type": "remote::openai-compatible",
                    "config": {"base_url": plugstack_upstream.base_url, "models": ["echo-1", "not-served-upstream"]},
                }
            ]
        },
    }
    async with await Stack.from_config(config) as stack:
        with pytest.raises(NotFoundError, match="not-served-upstream"):
            await stack.inference.chat_completion(
                model="not-served-upstream", messages=[{"role": "user", "content": "x"}]
            )


async def test_a_plugstack_server_with_rejected_echo_credentials_gives_401() -> None:
    host = new_plugin_host()
    assert host.register(EchoPlugin(), name="echo")
    config = {
        "distribution_name": "bad-key",
        "providers": {
            "inference": [{"provider_id": "echo", "provider_type": "inline::echo", "config": {"api_key": "bad"}}]
        },
    }
    with BackgroundServer(config, host=host) as server:
        provider = OpenAIProvider(OpenAICompatibleConfig(base_url=server.base_url))
        try:
            with pytest.raises(AuthenticationError):
                await provider.chat_completion(
                    ChatCompletionRequest.model_validate(
                        {"model": "echo-1", "messages": [{"role": "user", "content": "x"}]}
                    )
                )
        finally:
            await provider.shutdown()
