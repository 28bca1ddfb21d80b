"""``inline::llama-cpp`` behind the real HTTP server, spoken to by the official openai SDK."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import openai
import pytest

from plugstack.plugins import PluginHost
from plugstack.server.background import BackgroundServer


@pytest.fixture
def server(host: PluginHost, run_config: Any, tmp_path: Any) -> Iterator[BackgroundServer]:
    config = run_config()
    config["storage"] = {"kvstore": {"db_path": str(tmp_path / "kvstore.db")}}
    with BackgroundServer(config, host=host) as running:
        yield running


@pytest.fixture
def client(server: BackgroundServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url, api_key="unused", max_retries=0)


def test_chat_plain_streamed_and_with_a_tool(client: openai.OpenAI) -> None:
    messages: Any = [{"role": "user", "content": "hello there"}]
    whole = client.chat.completions.create(model="tiny", messages=messages, max_tokens=10, temperature=0)
    assert whole.choices[0].finish_reason == "length" and whole.usage and whole.usage.completion_tokens == 10
    stream = client.chat.completions.create(model="tiny", messages=messages, max_tokens=10, temperature=0, stream=True)
    assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices) == whole.choices[0].message.content
    tool: Any = {
        "type": "function",
        "function": {
            "name": "pick",
            "parameters": {"type": "object", "properties": {"x": {"enum": ["a", "b"]}}, "required": ["x"]},
        },
    }
    called = client.chat.completions.create(
        model="tiny", messages=messages, tools=[tool], tool_choice="required", max_tokens=80
    )
    [call] = called.choices[0].message.tool_calls or []
    assert call.function.name == "pick" and json.loads(call.function.arguments)["x"] in ("a", "b")  # type: ignore[union-attr]


def test_context_overflow_is_a_400_naming_both_numbers(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        client.chat.completions.create(
            model="tiny", messages=[{"role": "user", "content": "hello " * 1200}], max_tokens=2
        )
    assert "context window of 1024 tokens" in str(info.value)


def test_a_client_that_disconnects_stops_generation(server: BackgroundServer, client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model="tiny", messages=[{"role": "user", "content": "hi"}], max_tokens=900, stream=True
    )
    for _, _chunk in zip(range(3), stream, strict=False):
        pass
    stream.close()
    runner = server.stack.inference.table.providers["llama"].runners["tiny"]

    async def model_is_free() -> int:
        await asyncio.wait_for(runner.idle(), timeout=30)
        return int(runner.instances[0].llama.n_tokens)

    assert server.call(model_is_free()) < 200, "generation stopped long before 900 tokens"
