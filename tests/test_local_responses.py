"""``plugstack run local`` serves the Responses API on SmolLM2-135M, offline, to the official openai SDK.

A real uvicorn server on 127.0.0.1 serves ``distributions/local/run.yaml`` (state under a
temporary ``PLUGSTACK_HOME``): the model on ``inline::llama-cpp``, files, sqlite-vec
vector stores with MiniLM embeddings, ``builtin::file_search`` and
``remote::model-context-protocol``, which calls a real MCP server started here on
127.0.0.1. Each test runs streamed and not: a conversation whose turn searches a vector
store, a ``function`` tool round trip, an ``mcp`` tool.

A 135M model's words are not reliable, so nothing here asserts what it says. The tests
assert the plumbing: items, ids, statuses, calls made through the llama.cpp plugin's
tool-call grammar (``tool_choice`` forces them, so the model must call), and, through a
``plugstack_api_call`` hook that keeps every chat request the model got, that each
tool's result was in what the model read next. ``max_tool_calls: 1`` lets the model
answer after one built-in call: this model, left free, calls the same tool again and
again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openai
import pytest
from mcp.server.mcpserver import MCPServer
from openai.types.responses import Response
from starlette.types import ASGIApp

from plugstack.plugins import load_entry_points, new_plugin_host
from plugstack.run_config import load_run_config
from plugstack.server.background import BackgroundServer
from plugstack.testing.asgi_server import AppServer
from plugstack.testing.chat_spy import ChatSpy
from plugstack.testing.local_model import require_local_model

RUN_YAML = Path(__file__).resolve().parents[1] / "distributions" / "local" / "run.yaml"
MODEL = "smollm2-135m-instruct"  # run.yaml's default PLUGSTACK_MODEL_ID
# greedy, and room for a forced call's JSON (25 to 60 tokens measured) while answers stay quick
SETTINGS: dict[str, Any] = {"temperature": 0, "max_output_tokens": 64}
WEATHER: dict[str, Any] = {
    "type": "function",
    "name": "get_weather",
    "description": "The current weather in a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}
DOCUMENTS = {
    "bread.txt": "To bake bread, knead flour, water, salt and yeast, let the dough rise, then bake it in a hot oven.",
    "volcanoes.txt": "Volcanoes erupt when molten rock, called magma, rises through the crust and flows out as lava.",
}
STREAMED = pytest.mark.parametrize("stream", [False, True], ids=["plain", "streamed"])


def lookup_answer(topic: str) -> str:
    return f"KB-7731: the tide tables for {topic!r} are in drawer 3"


@pytest.fixture(autouse=True, scope="module")
def _needs_the_local_model() -> None:
    require_local_model()


def knowledge_base() -> ASGIApp:
    server = MCPServer("knowledge", log_level="WARNING")

    @server.tool()
    def lookup(topic: str) -> str:
        """Look a topic up in the knowledge base."""
        return lookup_answer(topic)

    app: ASGIApp = server.streamable_http_app(host="127.0.0.1")
    return app


@pytest.fixture(scope="module")
def mcp_url() -> Iterator[str]:
    server = AppServer(knowledge_base, factory=True, lifespan="auto").start()
    yield f"{server.url}/mcp"
    server.stop()


@pytest.fixture(scope="module")
def spy() -> ChatSpy:
    return ChatSpy()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, spy: ChatSpy) -> Iterator[BackgroundServer]:
    host = new_plugin_host()
    load_entry_points(host)  # every installed plugin, as `plugstack run local` loads them
    assert host.register(spy, name="chat-spy")
    config = load_run_config(RUN_YAML, {"PLUGSTACK_HOME": str(tmp_path_factory.mktemp("local-home"))})
    with BackgroundServer(config, host=host) as running:
        yield running


@pytest.fixture(scope="module")
def client(server: BackgroundServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=server.base_url, api_key="unused", max_retries=0, timeout=60) as client:
        yield client


@dataclass
class Documents:
    store_id: str
    file_ids: dict[str, str]  # file name -> id


@pytest.fixture(scope="module")
def documents(client: openai.OpenAI) -> Documents:
    file_ids = {
        name: client.files.create(file=(name, text.encode()), purpose="assistants").id
        for name, text in DOCUMENTS.items()
    }
    store = client.vector_stores.create(name="kitchen and geology", file_ids=list(file_ids.values()))
    for file_id in file_ids.values():
        done = client.vector_stores.files.poll(file_id, vector_store_id=store.id, poll_interval_ms=20)
        assert done.status == "completed", done.last_error
    return Documents(store.id, file_ids)


@pytest.fixture
def asked(spy: ChatSpy) -> list[dict[str, Any]]:
    """The chat requests the model gets during the test, in order."""
    spy.requests.clear()
    return spy.requests


def respond(client: openai.OpenAI, stream: bool, **params: Any) -> tuple[Response, list[str]]:
    """The response, through ``responses.stream`` when streamed, and its events' types (none unstreamed)."""
    if not stream:
        return client.responses.create(**params), []
    with client.responses.stream(**params) as events:
        seen = list(events)
        final = events.get_final_response()  # raises unless the stream ended with response.completed
    assert [event.sequence_number for event in seen] == list(range(len(seen)))
    return final, [event.type for event in seen]


@STREAMED
def test_a_conversation_whose_turn_searches_a_vector_store(
    client: openai.OpenAI, documents: Documents, asked: list[dict[str, Any]], stream: bool
) -> None:
    conversation = client.conversations.create()
    first, events = respond(
        client,
        stream,
        model=MODEL,
        conversation=conversation.id,
        instructions="Answer in one short sentence.",
        input="How do I bake bread?",
        tools=[{"type": "file_search", "vector_store_ids": [documents.store_id], "max_num_results": 1}],
        tool_choice={"type": "file_search"},
        max_tool_calls=1,
        include=["file_search_call.results"],
        **SETTINGS,
    )
    assert first.status == "completed" and first.conversation is not None
    assert first.conversation.id == conversation.id
    search, message = first.output
    assert search.type == "file_search_call" and search.status == "completed" and search.id.startswith("fs_")
    assert len(search.queries) == 1 and search.queries[0]
    assert search.results and {result.file_id for result in search.results} <= set(documents.file_ids.values())
    assert search.results[0].filename == "bread.txt"  # the search's ranking, not the model's words
    assert message.type == "message" and message.status == "completed" and first.output_text
    if stream:
        assert [t for t in events if t.startswith("response.file_search_call.")] == [
            "response.file_search_call.in_progress",
            "response.file_search_call.searching",
            "response.file_search_call.completed",
        ]
        assert "response.output_text.delta" in events and events[-1] == "response.completed"

    called, answering = asked
    assert called["tool_choice"] == {"type": "function", "function": {"name": "file_search"}}
    assert "tools" not in answering  # the one built-in call allowed is spent: the model answers
    tool_message = answering["messages"][-1]
    assert tool_message["role"] == "tool" and DOCUMENTS["bread.txt"] in tool_message["content"]

    asked.clear()  # the next turn, streamed through create(stream=True) this time
    follow_up = {"model": MODEL, "conversation": conversation.id, "input": "Say it again, shorter.", **SETTINGS}
    if stream:
        *_, last = client.responses.create(stream=True, **follow_up)
        assert last.type == "response.completed"
        second = last.response
    else:
        second = client.responses.create(**follow_up)
    assert second.status == "completed" and [item.type for item in second.output] == ["message"]
    (context,) = asked  # the conversation so far, as the model read it
    texts = [str(m.get("content")) for m in context["messages"]]
    assert "How do I bake bread?" in texts and first.output_text in texts and "Say it again, shorter." in texts
    assert any(m["role"] == "tool" and DOCUMENTS["bread.txt"] in m["content"] for m in context["messages"])

    items = client.conversations.items.list(conversation.id, order="asc").data
    assert [item.type for item in items] == ["message", "file_search_call", "message", "message", "message"]
    assert [item.id for item in items[1:3]] == [search.id, message.id] and items[4].id == second.output[0].id
    assert [getattr(item, "role", None) for item in items] == ["user", None, "assistant", "user", "assistant"]
    assert client.responses.retrieve(first.id).output[0].id == search.id


@STREAMED
def test_a_function_tool_round_trip(client: openai.OpenAI, asked: list[dict[str, Any]], stream: bool) -> None:
    calling, events = respond(
        client,
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
    assert call.id is not None and call.id.startswith("fc_") and call.call_id
    assert isinstance(json.loads(call.arguments)["city"], str)  # the grammar holds the model to the schema
    if stream:
        assert "response.function_call_arguments.delta" in events
        assert "response.function_call_arguments.done" in events

    report = "snowing, minus three degrees (station report 4417)"
    answered, _ = respond(
        client,
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
    assert message.type == "message" and answered.output_text
    _, answering = asked
    *_, question, tool_call, tool_result = answering["messages"]
    assert question == {"role": "user", "content": "What is the weather in Oslo?"}
    assert [c["id"] for c in tool_call["tool_calls"]] == [call.call_id]
    assert (tool_result["role"], tool_result["tool_call_id"], tool_result["content"]) == ("tool", call.call_id, report)
    (item,) = client.responses.input_items.list(answered.id).data
    assert item.type == "function_call_output" and item.call_id == call.call_id


@STREAMED
def test_an_mcp_tool(client: openai.OpenAI, mcp_url: str, asked: list[dict[str, Any]], stream: bool) -> None:
    server = {"type": "mcp", "server_label": "kb", "server_url": mcp_url, "require_approval": "never"}
    response, events = respond(
        client,
        stream,
        model=MODEL,
        input="Look up the tides.",
        tools=[server],
        tool_choice="required",
        max_tool_calls=1,
        **SETTINGS,
    )
    assert response.status == "completed"
    listing, call, message = response.output
    assert listing.type == "mcp_list_tools" and listing.server_label == "kb" and listing.error is None
    assert [tool.name for tool in listing.tools] == ["lookup"]
    assert listing.tools[0].input_schema["required"] == ["topic"]
    assert (call.type, call.server_label, call.name, call.status, call.error) == (
        "mcp_call",
        "kb",
        "lookup",
        "completed",
        None,
    )
    assert call.output == lookup_answer(json.loads(call.arguments)["topic"])  # the server's answer to these arguments
    assert message.type == "message" and message.status == "completed"
    if stream:
        assert [t for t in events if "mcp" in t] == [
            "response.mcp_list_tools.in_progress",
            "response.mcp_list_tools.completed",
            "response.mcp_call_arguments.delta",
            "response.mcp_call_arguments.done",
            "response.mcp_call.in_progress",
            "response.mcp_call.completed",
        ]
    calling, answering = asked
    assert calling["tool_choice"] == "required" and [t["function"]["name"] for t in calling["tools"]] == ["lookup"]
    *_, tool_call, tool_result = answering["messages"]
    (called,) = tool_call["tool_calls"]
    assert (called["function"]["name"], called["function"]["arguments"]) == ("lookup", call.arguments)
    assert (tool_result["role"], tool_result["tool_call_id"], tool_result["content"]) == (
        "tool",
        called["id"],
        call.output,
    )
