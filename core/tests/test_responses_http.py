"""The Responses API over HTTP, through the official openai SDK, with real server-side tools.

A real uvicorn server on 127.0.0.1 serves ``inline::echo`` (the model: deterministic, it
calls the first tool offered, then echoes what the tool said), real offline vector
stores (``inline::sqlite-vec`` with ``inline::sentence-embeddings``) searched through the
``builtin::file_search`` tool group, an MCP server (the mcp SDK's own server, on
127.0.0.1) through ``remote::model-context-protocol``, the ``inline::words`` shield and
conversations.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import plugstack_file_search
import plugstack_localfs
import plugstack_mcp
import plugstack_sentence_embeddings
import plugstack_sqlite_vec
import pytest
from mcp.server.mcpserver import MCPServer

from plugstack.plugins import new_plugin_host
from plugstack.server.background import BackgroundServer
from plugstack.testing.asgi_server import AppServer
from plugstack.testing.echo import EchoPlugin
from plugstack.testing.word_shield import WordShieldPlugin

WEATHER = {
    "type": "function",
    "name": "get_weather",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}


def knowledge_server() -> Any:
    server = MCPServer("knowledge", log_level="WARNING")

    @server.tool()
    def lookup(query: str) -> str:
        """Look a topic up in the knowledge base."""
        return f"the knowledge base says: {query} is well documented"

    @server.tool()
    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    return server.streamable_http_app(host="127.0.0.1")


@pytest.fixture(scope="module")
def mcp_url() -> Iterator[str]:
    server = AppServer(knowledge_server, factory=True, lifespan="auto").start()
    yield f"{server.url}/mcp"
    server.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundServer]:
    tmp: Path = tmp_path_factory.mktemp("responses-http")
    host = new_plugin_host()
    assert host.register(EchoPlugin(), name="echo")
    assert host.register(WordShieldPlugin(), name="words")
    for module, name in [
        (plugstack_localfs, "localfs"),
        (plugstack_sqlite_vec, "sqlite_vec"),
        (plugstack_sentence_embeddings, "sentence_embeddings"),
        (plugstack_file_search, "file_search"),
        (plugstack_mcp, "mcp"),
    ]:
        assert host.register(module, name=name)
    config: dict[str, Any] = {
        "distribution_name": "responses-http",
        "providers": {
            "inference": [
                {"provider_id": "echo", "provider_type": "inline::echo", "config": {}},
                {"provider_id": "minilm", "provider_type": "inline::sentence-embeddings", "config": {}},
            ],
            "files": [
                {
                    "provider_id": "localfs",
                    "provider_type": "inline::localfs",
                    "config": {"storage_dir": str(tmp / "f")},
                }
            ],
            "vector_io": [
                {
                    "provider_id": "sqlite-vec",
                    "provider_type": "inline::sqlite-vec",
                    "config": {"db_path": str(tmp / "vectors.db"), "embedding_model": "all-MiniLM-L6-v2"},
                }
            ],
            "safety": [{"provider_id": "words", "provider_type": "inline::words", "config": {}}],
            "tool_runtime": [
                {"provider_id": "file-search", "provider_type": "inline::file-search", "config": {}},
                {"provider_id": "mcp", "provider_type": "remote::model-context-protocol", "config": {}},
            ],
        },
        "storage": {"kvstore": {"db_path": str(tmp / "kv.db")}, "sqlstore": {"db_path": str(tmp / "sql.db")}},
    }
    with BackgroundServer(config, host=host) as running:
        yield running


@pytest.fixture(scope="module")
def client(server: BackgroundServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=server.base_url, api_key="unused", max_retries=0) as client:
        yield client


@pytest.fixture(scope="module")
def store_id(client: openai.OpenAI) -> str:
    documents = {
        "volcanoes.txt": "Volcanoes erupt when molten rock, called magma, rises through the crust as lava.",
        "bread.txt": "Knead flour, water, salt and yeast, let the dough rise, then bake it in a hot oven.",
    }
    ids = [client.files.create(file=(name, text.encode()), purpose="assistants").id for name, text in documents.items()]
    store = client.vector_stores.create(name="facts", file_ids=ids)
    for file_id in ids:
        assert (
            client.vector_stores.files.poll(file_id, vector_store_id=store.id, poll_interval_ms=20).status
            == "completed"
        )
    return store.id


def file_search(store_id: str) -> dict[str, Any]:
    return {"type": "file_search", "vector_store_ids": [store_id], "max_num_results": 1}


def test_create_retrieve_input_items_and_delete(client: openai.OpenAI) -> None:
    response = client.responses.create(model="echo-1", input="hello over http", instructions="be kind")
    assert (response.status, response.output_text, response.instructions) == ("completed", "hello over http", "be kind")
    assert response.usage is not None and response.usage.output_tokens == 3
    assert client.responses.retrieve(response.id).output_text == "hello over http"
    items = client.responses.input_items.list(response.id)
    assert [(item.type, item.role) for item in items.data] == [("message", "user")]  # type: ignore[union-attr]
    client.responses.delete(response.id)
    with pytest.raises(openai.NotFoundError, match=response.id):
        client.responses.retrieve(response.id)


def test_stream_helper_gets_the_final_response(client: openai.OpenAI) -> None:
    with client.responses.stream(model="echo-1", input="streamed words here") as stream:
        deltas = [event.delta for event in stream if event.type == "response.output_text.delta"]
        final = stream.get_final_response()
    assert "".join(deltas) == "streamed words here" == final.output_text
    assert client.responses.retrieve(final.id).output_text == "streamed words here"


def test_create_stream_true_sends_named_events(client: openai.OpenAI, server: BackgroundServer) -> None:
    events = list(client.responses.create(model="echo-1", input="a b", stream=True))
    assert [e.sequence_number for e in events] == list(range(len(events)))
    assert events[0].type == "response.created" and events[-1].type == "response.completed"
    raw = httpx.post(server.base_url + "/responses", json={"model": "echo-1", "input": "x", "stream": True}).text
    blocks = [block for block in raw.split("\n\n") if block]
    assert blocks[0].startswith("event: response.created\ndata: {")
    assert blocks[-1].startswith("event: response.completed\ndata: {") and "[DONE]" not in raw


def test_chaining_with_previous_response_id(client: openai.OpenAI) -> None:
    first = client.responses.create(model="echo-1", input="one two three")
    second = client.responses.create(model="echo-1", input="four", previous_response_id=first.id)
    assert second.usage is not None and second.usage.input_tokens == 7
    with pytest.raises(openai.NotFoundError, match="resp_missing"):
        client.responses.create(model="echo-1", input="x", previous_response_id="resp_missing")


def test_function_tool_round_trip_streamed(client: openai.OpenAI) -> None:
    with client.responses.stream(model="echo-1", input="Oslo", tools=[WEATHER]) as stream:  # type: ignore[list-item]
        types = [event.type for event in stream]
        asked = stream.get_final_response()
    assert "response.function_call_arguments.delta" in types and "response.function_call_arguments.done" in types
    (call,) = asked.output
    assert call.type == "function_call" and call.arguments == '{"city": "Oslo"}'
    answered = client.responses.create(
        model="echo-1",
        previous_response_id=asked.id,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "snowing"}],
        tools=[WEATHER],  # type: ignore[list-item]
    )
    assert answered.output_text == "snowing"


def test_file_search_round_trip(client: openai.OpenAI, store_id: str) -> None:
    response = client.responses.create(
        model="echo-1",
        input="where does lava come from?",
        tools=[file_search(store_id)],  # type: ignore[list-item]
        include=["file_search_call.results"],
    )
    search, message = response.output
    assert message.type == "message"
    assert search.type == "file_search_call" and search.queries == ["where does lava come from?"]
    assert search.results is not None and search.results[0].filename == "volcanoes.txt"
    assert "magma" in response.output_text  # echo repeats what the tool told it
    plain = client.responses.create(model="echo-1", input="bread?", tools=[file_search(store_id)])  # type: ignore[list-item]
    assert plain.output[0].type == "file_search_call" and plain.output[0].results is None
    assert "file_search_call" in [i.type for i in client.responses.retrieve(plain.id).output]


def test_file_search_streamed_events(client: openai.OpenAI, store_id: str) -> None:
    with client.responses.stream(model="echo-1", input="oven", tools=[file_search(store_id)]) as stream:  # type: ignore[list-item]
        types = [event.type for event in stream]
        final = stream.get_final_response()
    searching = [t for t in types if t.startswith("response.file_search_call.")]
    assert searching == [
        "response.file_search_call.in_progress",
        "response.file_search_call.searching",
        "response.file_search_call.completed",
    ]
    assert "dough" in final.output_text


def test_mcp_tools_run_on_the_server(client: openai.OpenAI, mcp_url: str) -> None:
    mcp = {"type": "mcp", "server_label": "kb", "server_url": mcp_url, "require_approval": "never"}
    response = client.responses.create(model="echo-1", input="tides", tools=[{**mcp, "allowed_tools": ["lookup"]}])  # type: ignore[list-item]
    listing, call, message = response.output
    assert message.type == "message"
    assert listing.type == "mcp_list_tools" and [t.name for t in listing.tools] == ["lookup"]
    assert (call.type, call.name, call.server_label, call.arguments) == (
        "mcp_call",
        "lookup",
        "kb",
        '{"query": "tides"}',
    )
    assert call.output == "the knowledge base says: tides is well documented" and call.error is None
    assert response.output_text == call.output
    with client.responses.stream(model="echo-1", input="moon", tools=[mcp]) as stream:  # type: ignore[list-item]
        types = [event.type for event in stream]
        final = stream.get_final_response()
    assert [t for t in types if "mcp" in t] == [
        "response.mcp_list_tools.in_progress",
        "response.mcp_list_tools.completed",
        "response.mcp_call_arguments.delta",
        "response.mcp_call_arguments.done",
        "response.mcp_call.in_progress",
        "response.mcp_call.completed",
    ]
    assert [t.name for t in final.output[0].tools] == ["lookup", "add"]  # type: ignore[union-attr]
    with pytest.raises(openai.APIStatusError, match="only 'never' is supported") as caught:
        client.responses.create(model="echo-1", input="x", tools=[{**mcp, "require_approval": "always"}])  # type: ignore[list-item]
    assert caught.value.status_code == 501


def test_tool_loop_bounds(client: openai.OpenAI, server: BackgroundServer, store_id: str) -> None:
    # max_tool_calls as OpenAI defines it: no built-in call beyond it, and the model answers
    capped = client.responses.create(model="echo-1", input="lava", tools=[file_search(store_id)], max_tool_calls=0)  # type: ignore[list-item]
    assert capped.status == "completed" and [item.type for item in capped.output] == ["message"]
    assert capped.output_text == "lava"  # echo was offered no tool to call
    once = client.responses.create(model="echo-1", input="lava", tools=[file_search(store_id)], max_tool_calls=1)  # type: ignore[list-item]
    assert once.status == "completed" and [item.type for item in once.output] == ["file_search_call", "message"]
    router = server.stack.responses
    router.max_rounds = 1
    try:
        failed = client.responses.create(model="echo-1", input="lava", tools=[file_search(store_id)])  # type: ignore[list-item]
        with client.responses.stream(model="echo-1", input="lava", tools=[file_search(store_id)]) as stream:  # type: ignore[list-item]
            last = [event for event in stream][-1]
    finally:
        router.max_rounds = 10
    assert failed.status == "failed" and failed.error is not None
    assert "bound of 1 model calls" in failed.error.message
    assert last.type == "response.failed" and last.response.error is not None
    assert client.responses.retrieve(failed.id).status == "failed"


def test_a_shield_violation_is_a_refusal(client: openai.OpenAI) -> None:
    response = client.responses.create(
        model="echo-1", input="something forbidden", extra_body={"guardrails": ["words"]}
    )
    (message,) = response.output
    assert message.type == "message" and message.content[0].type == "refusal"  # type: ignore[union-attr]
    assert "forbidden" in message.content[0].refusal  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"input": "x", "temperature": 9}, "temperature"),
        ({"input": "x", "tools": [{"type": "computer_use_preview"}]}, "tools.0"),
        ({"input": [{"type": "function_call_output", "output": "x"}]}, "input.0.call_id"),
        ({"input": "x", "max_output_tokens": 0}, "max_output_tokens"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client: openai.OpenAI, params: dict[str, Any], field: str) -> None:
    with pytest.raises(openai.BadRequestError, match=field) as caught:
        client.responses.create(model="echo-1", **params)
    assert caught.value.param == field  # type: ignore[attr-defined]


def test_store_false(client: openai.OpenAI) -> None:
    response = client.responses.create(model="echo-1", input="forget me", store=False)
    assert response.output_text == "forget me"
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(response.id)


def test_conversations_keep_the_context(client: openai.OpenAI) -> None:
    conversation = client.conversations.create()
    client.responses.create(model="echo-1", input="one two", conversation=conversation.id)
    second = client.responses.create(model="echo-1", input="three", conversation=conversation.id)
    assert second.usage is not None and second.usage.input_tokens == 5
    items = client.conversations.items.list(conversation.id, order="asc")
    assert [item.type for item in items.data] == ["message"] * 4


def test_every_stored_response_is_retrievable_after_concurrent_creation(server: BackgroundServer) -> None:
    async def run() -> tuple[list[str], list[str]]:
        async with openai.AsyncOpenAI(base_url=server.base_url, api_key="unused", max_retries=0) as client:
            limit = asyncio.Semaphore(32)

            async def create(n: int) -> str:
                async with limit:
                    return (await client.responses.create(model="echo-1", input=f"load {n}")).id

            async def retrieve(response_id: str) -> str:
                async with limit:
                    return (await client.responses.retrieve(response_id)).output_text

            ids = await asyncio.gather(*(create(n) for n in range(256)))
            return ids, await asyncio.gather(*(retrieve(i) for i in ids))

    ids, texts = asyncio.run(run())
    assert len(set(ids)) == 256
    assert texts == [f"load {n}" for n in range(256)]
