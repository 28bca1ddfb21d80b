"""The Responses API in library mode, on ``inline::echo``: create, stream, store, chain, tools, shields.

Echo answers with the last user (or tool) message, so what the model was given shows in
its answer and in its usage (``input_tokens`` counts the words of every message).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Generator
from pathlib import Path
from typing import Any

import pytest

import plugstack
from plugstack.api_call import ApiCall
from plugstack.errors import AuthenticationError, BadRequestError, NotFoundError, NotImplementedByProviderError
from plugstack.plugins import PluginHost, new_plugin_host
from plugstack.stack import Stack
from plugstack.testing.echo import EchoPlugin
from plugstack.testing.word_shield import WordShieldPlugin

ECHO = {"provider_id": "echo", "provider_type": "inline::echo", "config": {}}
WORDS = {"provider_id": "words", "provider_type": "inline::words", "config": {"blocked": ["forbidden"]}}
WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "The weather in a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}


def responses_host() -> PluginHost:
    host = new_plugin_host()
    assert host.register(EchoPlugin(), name="echo")
    assert host.register(WordShieldPlugin(), name="words")
    return host


def config(tmp_path: Path, **extra: Any) -> dict[str, Any]:
    return {
        "distribution_name": "responses",
        "providers": {"inference": [ECHO], "safety": [WORDS]},
        "storage": {"kvstore": {"db_path": str(tmp_path / "kv.db")}, "sqlstore": {"db_path": str(tmp_path / "sql.db")}},
        **extra,
    }


@pytest.fixture
async def stack(tmp_path: Path) -> Any:
    async with await Stack.from_config(config(tmp_path), host=responses_host()) as running:
        yield running


async def test_create_retrieve_list_and_delete(stack: Stack) -> None:
    response = await stack.responses.create(model="echo-1", input="hello there", metadata={"k": "v"})
    assert response.status == "completed" and response.id.startswith("resp_")
    (message,) = response.output
    assert (message.type, message.role, message.content[0].text) == ("message", "assistant", "hello there")
    assert response.usage.output_tokens == 2 and response.usage.total_tokens == 4
    assert (await stack.responses.retrieve(response.id)).model_dump() == response.model_dump()
    items = await stack.responses.list_input_items(response.id)
    assert [(i["type"], i["role"], i["content"]) for i in items.data] == [
        ("message", "user", [{"type": "input_text", "text": "hello there"}])
    ]
    assert (await stack.responses.delete(response.id)).deleted
    with pytest.raises(NotFoundError, match=response.id):
        await stack.responses.retrieve(response.id)


async def test_streamed_events_are_numbered_and_end_with_the_stored_response(stack: Stack) -> None:
    events = [e async for e in await stack.responses.create(model="echo-1", input="one two three", stream=True)]
    assert [e.sequence_number for e in events] == list(range(len(events)))
    types = [e.type for e in events]
    assert types[:4] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
    ]
    assert types[-4:] == [
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert "".join(e.delta for e in events if e.type == "response.output_text.delta") == "one two three"
    final = events[-1].response
    assert final is not None and final.usage is not None and final.usage.output_tokens == 3
    assert (await stack.responses.retrieve(final.id)).output == final.output


async def test_chained_responses_see_what_came_before(stack: Stack) -> None:
    first = await stack.responses.create(model="echo-1", input="one two three", instructions="be brief")
    alone = await stack.responses.create(model="echo-1", input="four")
    chained = await stack.responses.create(model="echo-1", input="four", previous_response_id=first.id)
    assert alone.usage.input_tokens == 1
    # the first input and answer (3 + 3 words), not its instructions, then "four"
    assert chained.usage.input_tokens == 7
    assert chained.previous_response_id == first.id
    again = await stack.responses.create(model="echo-1", input="five", previous_response_id=chained.id)
    assert again.usage.input_tokens == 9


async def test_unknown_previous_response_is_a_404_naming_it(stack: Stack) -> None:
    with pytest.raises(NotFoundError, match="resp_nope") as caught:
        await stack.responses.create(model="echo-1", input="x", previous_response_id="resp_nope")
    assert caught.value.param == "previous_response_id"


async def test_store_false_is_neither_retrievable_nor_chainable(stack: Stack) -> None:
    response = await stack.responses.create(model="echo-1", input="secret", store=False)
    assert response.status == "completed" and response.store is False
    with pytest.raises(NotFoundError):
        await stack.responses.retrieve(response.id)
    with pytest.raises(NotFoundError):
        await stack.responses.create(model="echo-1", input="x", previous_response_id=response.id)


async def test_function_tool_round_trip(stack: Stack) -> None:
    asked = await stack.responses.create(model="echo-1", input="Paris", tools=[WEATHER])
    (call,) = asked.output
    assert (call.type, call.name, call.arguments, call.status) == (
        "function_call",
        "get_weather",
        '{"city": "Paris"}',
        "completed",
    )
    answered = await stack.responses.create(
        model="echo-1",
        previous_response_id=asked.id,
        tools=[WEATHER],
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "sunny and warm"}],
    )
    assert answered.output[0].content[0].text == "sunny and warm"
    items = await stack.responses.list_input_items(answered.id)
    assert items.data[0]["type"] == "function_call_output" and items.data[0]["id"].startswith("fco_")


async def test_tool_choice_none_and_json_schema_text_format(stack: Stack) -> None:
    response = await stack.responses.create(
        model="echo-1",
        input="no tools",
        tools=[WEATHER],
        tool_choice="none",
        text={"format": {"type": "json_schema", "name": "answer", "schema": {"type": "object"}}},
    )
    assert response.output[0].type == "message"
    assert response.text.format.type == "json_schema" and response.text.format.schema_ == {"type": "object"}


async def test_max_output_tokens_makes_an_incomplete_response(stack: Stack) -> None:
    response = await stack.responses.create(model="echo-1", input="a b c d e", max_output_tokens=2)
    assert response.status == "incomplete" and response.incomplete_details.reason == "max_output_tokens"
    assert response.output[0].content[0].text == "a b"


@pytest.mark.parametrize("stream", [False, True])
async def test_a_shield_violation_is_a_refusal(stack: Stack, stream: bool) -> None:
    result = await stack.responses.create(
        model="echo-1", input="tell me forbidden things", guardrails=["words"], stream=stream
    )
    response = result if not stream else [e async for e in result][-1].response  # type: ignore[union-attr]
    assert response.status == "completed"
    (message,) = response.output
    assert message.content[0].type == "refusal" and "forbidden" in message.content[0].refusal


async def test_configured_guardrails_refuse_too(tmp_path: Path) -> None:
    guardrails = [{"models": ["echo-1"], "input_shields": ["words"], "output_shields": ["words"]}]
    cfg = config(tmp_path, registered_resources={"guardrails": guardrails})
    async with await Stack.from_config(cfg, host=responses_host()) as stack:
        refused = await stack.responses.create(model="echo-1", input="forbidden")
        assert refused.output[0].content[0].type == "refusal"
        fine = await stack.responses.create(model="echo-1", input="fine")
        assert fine.output[0].content[0].text == "fine"


@pytest.mark.parametrize(
    ("params", "error", "field"),
    [
        ({"input": "x", "temperature": 5}, BadRequestError, "temperature"),
        ({"input": [{"role": "user"}]}, BadRequestError, "input.0.content"),
        ({"input": [{"type": "input_file"}]}, BadRequestError, "input.0"),
        ({"input": []}, BadRequestError, "input"),
        ({"input": "x", "tools": [{"type": "function"}]}, BadRequestError, "tools.0.name"),
        ({"input": "x", "tools": [{"type": "code_interpreter"}]}, BadRequestError, "tools.0"),
        ({"input": "x", "bogus": 1}, BadRequestError, "bogus"),
        ({"input": "x", "include": ["everything"]}, BadRequestError, "include"),
        ({"input": "x", "guardrails": ["nope"]}, NotFoundError, "guardrails"),
        ({"input": "x", "tool_choice": {"type": "function", "name": "nope"}}, BadRequestError, "tool_choice"),
        (
            {"input": "x", "text": {"format": {"type": "json_schema", "name": "a"}}},
            BadRequestError,
            "text.format.schema",
        ),
        ({"input": "x", "previous_response_id": "r", "conversation": "c"}, BadRequestError, "previous_response_id"),
        ({"input": "x", "background": True}, NotImplementedByProviderError, "background"),
        ({"input": "x", "tools": [{"type": "web_search"}]}, BadRequestError, "tools.0.type"),
        (
            {"input": "x", "tools": [{"type": "file_search", "vector_store_ids": ["vs"]}]},
            BadRequestError,
            "tools.0.type",
        ),
        (
            {
                "input": "x",
                "tools": [{"type": "mcp", "server_label": "s", "server_url": "http://x", "require_approval": "always"}],
            },
            NotImplementedByProviderError,
            "tools.0.require_approval",
        ),
        ({"input": "x", "tools": [WEATHER, WEATHER]}, BadRequestError, "tools.1"),
    ],
)
async def test_bad_requests_name_the_field(
    stack: Stack, params: dict[str, Any], error: type[Exception], field: str
) -> None:
    with pytest.raises(error) as caught:
        await stack.responses.create(model="echo-1", **params)
    assert caught.value.param == field, caught.value  # type: ignore[attr-defined]


async def test_unknown_model_is_a_404(stack: Stack) -> None:
    with pytest.raises(NotFoundError, match="nope"):
        await stack.responses.create(model="nope", input="x", stream=True)


async def test_input_items_pagination(stack: Stack) -> None:
    given = [{"role": "user", "content": f"message {n}"} for n in range(5)]
    response = await stack.responses.create(model="echo-1", input=given)
    everything = await stack.responses.list_input_items(response.id, order="asc")
    ids = [item["id"] for item in everything.data]
    assert [item["content"][0]["text"] for item in everything.data] == [f"message {n}" for n in range(5)]
    page = await stack.responses.list_input_items(response.id, order="asc", limit=2, after=ids[0])
    assert [item["id"] for item in page.data] == ids[1:3] and page.has_more
    page = await stack.responses.list_input_items(response.id, limit=2, before=ids[2])
    assert [item["id"] for item in page.data] == [ids[4], ids[3]]  # newest first, before the third
    desc = await stack.responses.list_input_items(response.id)
    assert [item["id"] for item in desc.data] == ids[::-1]
    with pytest.raises(NotFoundError):
        await stack.responses.list_input_items(response.id, after="msg_nope")
    with pytest.raises(BadRequestError):
        await stack.responses.list_input_items(response.id, limit=0)


async def test_conversation_items_are_the_context_and_get_the_new_items(stack: Stack) -> None:
    conversation = await stack.conversations.create_conversation()
    first = await stack.responses.create(model="echo-1", input="one two", conversation=conversation.id)
    second = await stack.responses.create(model="echo-1", input="three", conversation={"id": conversation.id})
    assert first.usage.input_tokens == 2 and second.usage.input_tokens == 5
    assert second.conversation is not None and second.conversation.id == conversation.id
    items = (await stack.conversations.list_items(conversation.id, order="asc")).data
    assert [(i.type, i.role) for i in items] == [("message", "user"), ("message", "assistant")] * 2
    with pytest.raises(NotFoundError):
        await stack.responses.create(model="echo-1", input="x", conversation="conv_nope")


async def test_responses_on_postgres(tmp_path: Path, postgres_url: str) -> None:
    cfg = config(tmp_path)
    cfg["storage"]["sqlstore"] = {"type": "postgres", "url": postgres_url}
    async with await Stack.from_config(cfg, host=responses_host()) as stack:
        first = await stack.responses.create(model="echo-1", input="one two three")
        chained = await stack.responses.create(model="echo-1", input="four", previous_response_id=first.id)
        assert chained.usage.input_tokens == 7
        assert (await stack.responses.retrieve(chained.id)).output == chained.output
        assert [i["type"] for i in (await stack.responses.list_input_items(first.id)).data] == ["message"]
        await stack.responses.delete(first.id)
        with pytest.raises(NotFoundError):
            await stack.responses.retrieve(first.id)


def with_vector_stores(host: PluginHost, tmp_path: Path) -> dict[str, Any]:
    """The run config of :func:`config` plus files and sqlite-vec vector stores (no file search tool group)."""
    import plugstack_localfs
    import plugstack_sqlite_vec

    assert host.register(plugstack_localfs, name="localfs")
    assert host.register(plugstack_sqlite_vec, name="sqlite_vec")
    cfg = config(tmp_path)
    cfg["providers"]["files"] = [
        {"provider_id": "localfs", "provider_type": "inline::localfs", "config": {"storage_dir": str(tmp_path / "f")}}
    ]
    cfg["providers"]["vector_io"] = [
        {
            "provider_id": "sqlite-vec",
            "provider_type": "inline::sqlite-vec",
            "config": {"db_path": str(tmp_path / "v.db")},
        }
    ]
    return cfg


async def otters_store(stack: Stack) -> str:
    """A vector store holding one file, ingested."""
    file_id = (await stack.files.create_file(b"Otters hold hands while they sleep.", "otters.txt", "assistants")).id
    store = await stack.vector_stores.create_vector_store(name="notes", file_ids=[file_id])
    while (await stack.vector_stores.retrieve_vector_store_file(store.id, file_id)).status == "in_progress":
        await asyncio.sleep(0.01)
    return store.id


async def test_file_search_without_the_tool_group_searches_the_vector_stores(tmp_path: Path) -> None:
    host = responses_host()
    async with await Stack.from_config(with_vector_stores(host, tmp_path), host=host) as stack:
        tool = {"type": "file_search", "vector_store_ids": [await otters_store(stack)]}
        response = await stack.responses.create(
            model="echo-1", input="otters", tools=[tool], include=["file_search_call.results"]
        )
        search, message = response.output
        assert search.type == "file_search_call" and search.results[0].filename == "otters.txt"
        assert "Otters hold hands" in message.content[0].text
        with pytest.raises(NotFoundError, match="vs_nope"):
            await stack.responses.create(
                model="echo-1", input="x", tools=[{"type": "file_search", "vector_store_ids": ["vs_nope"]}]
            )


class ChatSpy:
    """Keeps what each chat request offered the model: its tools' names and its tool_choice."""

    def __init__(self) -> None:
        self.offered: list[tuple[list[str], object]] = []

    @plugstack.hookimpl(wrapper=True)
    def plugstack_api_call(self, call: ApiCall) -> Generator[None, Awaitable[Any], Awaitable[Any]]:
        if call.method == "chat_completion":
            request = call.params["request"]
            self.offered.append(([t["function"]["name"] for t in request.tools or []], request.tool_choice))
        return (yield)


async def test_a_forced_tool_choice_binds_the_first_round_and_max_tool_calls_withdraws_built_in_tools(
    tmp_path: Path,
) -> None:
    host, spy = responses_host(), ChatSpy()
    assert host.register(spy, name="spy")
    async with await Stack.from_config(with_vector_stores(host, tmp_path), host=host) as stack:
        search = {"type": "file_search", "vector_store_ids": [await otters_store(stack)]}
        forced = await stack.responses.create(
            model="echo-1", input="otters", tools=[search, WEATHER], tool_choice={"type": "file_search"}
        )
        assert [item.type for item in forced.output] == ["file_search_call", "message"]
        searching = {"type": "function", "function": {"name": "file_search"}}
        assert spy.offered == [(["file_search", "get_weather"], searching), (["file_search", "get_weather"], "auto")]

        spy.offered.clear()  # no built-in call allowed: the model is offered the client's function alone
        capped = await stack.responses.create(
            model="echo-1", input="Oslo", tools=[search, WEATHER], tool_choice="required", max_tool_calls=0
        )
        assert [item.type for item in capped.output] == ["function_call"] and capped.output[0].name == "get_weather"
        assert spy.offered == [(["get_weather"], "required")]

        spy.offered.clear()  # one allowed: the round after it offers no built-in tool, so the model answers
        once = await stack.responses.create(
            model="echo-1", input="otters", tools=[search], tool_choice={"type": "file_search"}, max_tool_calls=1
        )
        assert once.status == "completed" and [item.type for item in once.output] == ["file_search_call", "message"]
        assert spy.offered == [(["file_search"], searching), ([], None)]


async def test_upstream_errors_fail_a_streamed_response_and_raise_otherwise(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    cfg["providers"]["inference"] = [{**ECHO, "config": {"api_key": "bad"}}]
    async with await Stack.from_config(cfg, host=responses_host()) as stack:
        with pytest.raises(AuthenticationError):
            await stack.responses.create(model="echo-1", input="x")
        events = [e async for e in await stack.responses.create(model="echo-1", input="x", stream=True)]
        assert [e.type for e in events] == ["response.created", "response.in_progress", "response.failed"]
        failed = events[-1].response
        assert failed is not None and failed.status == "failed" and "invalid api key" in failed.error.message
        assert (await stack.responses.retrieve(failed.id)).status == "failed"
