from __future__ import annotations

import plugstack_groq
import pytest
from plugstack_groq.adapter import GroqInferenceAdapter, name_tool_calls_once, usage_chunk_from_x_groq
from plugstack_groq.config import GroqConfig
from pydantic import SecretStr

from plugstack.apis.inference import ChatCompletionChunk
from plugstack.errors import ConfigError, ProviderError
from plugstack.plugins import new_plugin_host
from plugstack.stack import Stack
from plugstack.testing.ports import refused_url


def test_api_key_is_secret_in_repr() -> None:
    config = GroqConfig(api_key=SecretStr("gsk_doNotPrintMe0000000000"))
    assert "doNotPrintMe" not in repr(config)
    assert "doNotPrintMe" not in str(config.model_dump())


def test_missing_api_key_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GROQ_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="api_key"):
        GroqInferenceAdapter(GroqConfig())


def test_x_groq_usage_becomes_the_final_usage_chunk() -> None:
    """Groq's last stream chunk, as its API documents it, carries usage under x_groq."""
    last = ChatCompletionChunk.model_validate(
        {
            "id": "chatcmpl-1",
            "model": "llama-3.1-8b-instant",
            "created": 1,
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
            "x_groq": {"id": "req_1", "usage": {"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17}},
        }
    )
    chunk = usage_chunk_from_x_groq(last)
    assert chunk is not None
    assert chunk.choices == []
    assert chunk.usage is not None and chunk.usage.total_tokens == 17
    assert chunk.id == "chatcmpl-1"
    without = ChatCompletionChunk.model_validate({"id": "c", "model": "m", "choices": []})
    assert usage_chunk_from_x_groq(without) is None


def test_tool_call_name_is_kept_in_the_first_delta_only() -> None:
    def chunk(arguments: str) -> ChatCompletionChunk:
        call = {
            "index": 0,
            "id": "call_1",
            "type": "function",
            "function": {"name": "get_weather", "arguments": arguments},
        }
        return ChatCompletionChunk.model_validate(
            {"id": "c", "model": "m", "choices": [{"index": 0, "delta": {"tool_calls": [call]}}]}
        )

    started: set[tuple[int, int]] = set()
    first, second = chunk('{"city":'), chunk('"Paris"}')
    name_tool_calls_once(first, started)
    name_tool_calls_once(second, started)
    assert first.choices[0].delta["tool_calls"][0]["function"]["name"] == "get_weather"
    assert second.choices[0].delta["tool_calls"][0] == {"index": 0, "function": {"arguments": '"Paris"}'}}


async def test_unreachable_upstream_is_unhealthy_with_a_503() -> None:
    """A real connection failure: nothing listens on 127.0.0.1 port 9."""
    adapter = GroqInferenceAdapter(GroqConfig(api_key=SecretStr("k"), base_url="http://127.0.0.1:9", max_retries=0))
    try:
        with pytest.raises(ProviderError) as info:
            await adapter.health()
    finally:
        await adapter.shutdown()
    assert info.value.status_code == 503


async def test_two_groq_providers_name_their_own_provider_id_in_errors() -> None:
    """Two ``remote::groq`` entries of one run config: each one's errors say which one failed."""
    closed = refused_url()
    host = new_plugin_host()
    assert host.register(plugstack_groq, name="groq")
    config = {
        "distribution_name": "two-groqs",
        "providers": {
            "inference": [
                {
                    "provider_id": provider_id,
                    "provider_type": "remote::groq",
                    "config": {
                        "api_key": "k",
                        "base_url": closed,
                        "max_retries": 0,
                        "models": [f"{provider_id}-model"],
                    },
                }
                for provider_id in ("groq-us", "groq-eu")
            ]
        },
    }
    async with await Stack.from_config(config, host=host) as stack:
        for provider_id in ("groq-us", "groq-eu"):
            with pytest.raises(ProviderError) as info:
                await stack.inference.chat_completion(
                    model=f"{provider_id}-model", messages=[{"role": "user", "content": "hi"}]
                )
            assert info.value.provider_id == provider_id
            assert f"provider {provider_id!r}" in info.value.message
