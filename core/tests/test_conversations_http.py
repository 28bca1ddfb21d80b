"""The conversations API over HTTP, through the official openai SDK against a real uvicorn server.

The SDK parses every answer into its own types (``openai.types.conversations``), so these
tests also check that plugstack's shapes are OpenAI's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from openai.types.conversations import Conversation, ConversationDeletedResource, Message
from openai.types.responses import ResponseFunctionToolCallItem, ResponseFunctionToolCallOutputItem

from plugstack.plugins import new_plugin_host
from plugstack.server.background import BackgroundServer


def config(tmp_path: Path) -> dict[str, Any]:
    return {
        "distribution_name": "conversations-http",
        "providers": {},
        "storage": {
            "kvstore": {"db_path": str(tmp_path / "kv.db")},
            "sqlstore": {"db_path": str(tmp_path / "sql.db")},
        },
    }


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundServer]:
    with BackgroundServer(config(tmp_path_factory.mktemp("conversations-http")), host=new_plugin_host()) as running:
        yield running


@pytest.fixture
def client(server: BackgroundServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=server.base_url, api_key="unused", max_retries=0) as sdk:
        yield sdk


def test_create_retrieve_update_delete(client: openai.OpenAI) -> None:
    created = client.conversations.create(
        items=[{"type": "message", "role": "user", "content": "Hello!"}], metadata={"topic": "greetings"}
    )
    assert isinstance(created, Conversation) and created.id.startswith("conv_")
    assert created.metadata == {"topic": "greetings"} and created.object == "conversation"

    retrieved = client.conversations.retrieve(created.id)
    assert retrieved == created
    updated = client.conversations.update(created.id, metadata={"topic": "farewells"})
    assert updated.metadata == {"topic": "farewells"}
    assert client.conversations.retrieve(created.id).metadata == {"topic": "farewells"}

    deleted = client.conversations.delete(created.id)
    assert isinstance(deleted, ConversationDeletedResource)
    assert (deleted.id, deleted.deleted, deleted.object) == (created.id, True, "conversation.deleted")
    with pytest.raises(openai.NotFoundError):
        client.conversations.retrieve(created.id)
    with pytest.raises(openai.NotFoundError):
        client.conversations.items.list(created.id)  # its items went with it


def test_items_create_list_retrieve_delete(client: openai.OpenAI) -> None:
    conversation = client.conversations.create(items=[{"role": "user", "content": "What is 2+2?"}])
    added = client.conversations.items.create(
        conversation.id,
        items=[
            {"type": "function_call", "call_id": "call_1", "name": "add", "arguments": '{"a": 2, "b": 2}'},
            {"type": "function_call_output", "call_id": "call_1", "output": "4"},
            {
                "type": "message",
                "role": "assistant",
                "content": [{"type": "output_text", "text": "4", "annotations": []}],
            },
        ],
        include=["message.output_text.logprobs"],
    )
    call, output, answer = added.data
    assert isinstance(call, ResponseFunctionToolCallItem) and call.id.startswith("fc_")
    assert (call.name, call.call_id, call.status) == ("add", "call_1", "completed")
    assert isinstance(output, ResponseFunctionToolCallOutputItem) and output.output == "4"
    assert isinstance(answer, Message) and answer.role == "assistant" and answer.content[0].type == "output_text"
    assert (added.first_id, added.last_id, added.has_more, added.object) == (call.id, answer.id, False, "list")

    question = client.conversations.items.list(conversation.id, order="asc", limit=1).data[0]
    assert isinstance(question, Message) and question.id.startswith("msg_") and question.status == "completed"
    assert question.content[0].type == "input_text" and question.content[0].text == "What is 2+2?"

    retrieved = client.conversations.items.retrieve(
        call.id, conversation_id=conversation.id, include=["file_search_call.results"]
    )
    assert retrieved == call
    after_delete = client.conversations.items.delete(output.id, conversation_id=conversation.id)
    assert isinstance(after_delete, Conversation) and after_delete.id == conversation.id
    remaining = [item.id for item in client.conversations.items.list(conversation.id, order="asc")]
    assert remaining == [question.id, call.id, answer.id]


def test_pagination_both_orders_through_the_sdk_pager(client: openai.OpenAI) -> None:
    conversation = client.conversations.create(items=[{"role": "user", "content": f"m{i}"} for i in range(5)])
    for order, expected in (("asc", ["m0", "m1", "m2", "m3", "m4"]), ("desc", ["m4", "m3", "m2", "m1", "m0"])):
        first = client.conversations.items.list(conversation.id, order=order, limit=2)
        assert first.has_more and len(first.data) == 2
        # iterating the page follows ``after=last_id`` until has_more is false
        seen = [item.content[0].text for item in first]  # type: ignore[union-attr]
        assert seen == expected
        after_second = client.conversations.items.list(conversation.id, order=order, limit=2, after=first.data[1].id)
        assert [item.content[0].text for item in after_second.data] == expected[2:4]  # type: ignore[union-attr]


def test_unknown_ids_are_openai_shaped_404s(client: openai.OpenAI) -> None:
    conversation = client.conversations.create()
    calls = [
        lambda: client.conversations.retrieve("conv_missing"),
        lambda: client.conversations.update("conv_missing", metadata={"a": "b"}),
        lambda: client.conversations.delete("conv_missing"),
        lambda: client.conversations.items.create("conv_missing", items=[{"role": "user", "content": "x"}]),
        lambda: client.conversations.items.list("conv_missing"),
        lambda: client.conversations.items.retrieve("msg_missing", conversation_id=conversation.id),
        lambda: client.conversations.items.delete("msg_missing", conversation_id=conversation.id),
        lambda: client.conversations.items.list(conversation.id, after="msg_missing"),
    ]
    for call in calls:
        with pytest.raises(openai.NotFoundError) as info:
            call()
        assert info.value.status_code == 404
        assert "not found" in info.value.message


@pytest.mark.parametrize(
    ("items", "field"),
    [
        (
            [{"role": "user", "content": "ok"}, {"role": "user", "content": "ok"}, {"type": "message", "content": "x"}],
            "items[2].role",
        ),
        ([{"type": "function_call_output", "output": "4"}], "items[0].call_id"),
        ([{"type": "no_such_item"}], "items[0].type"),
        ([{"role": "user", "content": [{"type": "input_text"}]}], "items[0].content[0].text"),
    ],
)
def test_bad_items_are_400s_naming_the_field(client: openai.OpenAI, items: list[Any], field: str) -> None:
    conversation = client.conversations.create()
    for call in (
        lambda: client.conversations.items.create(conversation.id, items=items),
        lambda: client.conversations.create(items=items),
    ):
        with pytest.raises(openai.BadRequestError) as info:
            call()
        body = info.value.body
        assert isinstance(body, dict) and body["param"] == field and field in body["message"]
        assert body["type"] == "invalid_request_error"


def test_bad_requests_are_400s(client: openai.OpenAI, server: BackgroundServer) -> None:
    conversation = client.conversations.create()
    with pytest.raises(openai.BadRequestError, match="at most 16"):
        client.conversations.create(metadata={f"k{i}": "v" for i in range(17)})
    with pytest.raises(openai.BadRequestError, match="items"):
        client.conversations.items.create(conversation.id, items=[{"role": "user", "content": "x"}] * 21)
    with pytest.raises(openai.BadRequestError, match="limit"):
        client.conversations.items.list(conversation.id, limit=101)
    with pytest.raises(openai.BadRequestError, match="include"):
        client.conversations.items.list(conversation.id, include=["bogus"])  # type: ignore[list-item]
    base = server.base_url + "/conversations"
    for response in (
        httpx.post(base, content=b"{"),
        httpx.post(base, json={"items": [], "unknown_option": 1}),
        httpx.post(f"{base}/{conversation.id}", json={}),  # metadata is required on update
        httpx.get(f"{base}/{conversation.id}/items", params={"order": "sideways"}),
        httpx.get(f"{base}/{conversation.id}/items", params={"limit": "many"}),
    ):
        assert response.status_code == 400, response.text
        assert set(response.json()["error"]) == {"message", "type", "param", "code"}


async def test_32_concurrent_adds_over_http_keep_every_item_once(server: BackgroundServer) -> None:
    async with openai.AsyncOpenAI(base_url=server.base_url, api_key="unused", max_retries=0) as sdk:
        conversation = await sdk.conversations.create()
        batches = [[{"role": "user", "content": f"a{a}-{i}"} for i in range(2)] for a in range(32)]
        added = await asyncio.gather(*(sdk.conversations.items.create(conversation.id, items=b) for b in batches))
        listed = [item async for item in sdk.conversations.items.list(conversation.id, order="asc", limit=10)]
    assert sorted(item.id for item in listed) == sorted(item.id for result in added for item in result.data)
    seen = [item.content[0].text for item in listed]  # type: ignore[union-attr]
    assert len(seen) == len(set(seen)) == 64
    for offset in range(0, 64, 2):  # each request's two items side by side, in order
        adder = seen[offset].split("-")[0]
        assert seen[offset : offset + 2] == [f"{adder}-0", f"{adder}-1"]


def test_items_persist_across_a_server_restart(tmp_path: Path) -> None:
    with BackgroundServer(config(tmp_path), host=new_plugin_host()) as first:
        with openai.OpenAI(base_url=first.base_url, api_key="unused", max_retries=0) as sdk:
            conversation = sdk.conversations.create(items=[{"role": "user", "content": "remember me"}])
            sdk.conversations.items.create(conversation.id, items=[{"role": "assistant", "content": "I will"}])
    with BackgroundServer(config(tmp_path), host=new_plugin_host()) as second:
        with openai.OpenAI(base_url=second.base_url, api_key="unused", max_retries=0) as sdk:
            assert sdk.conversations.retrieve(conversation.id) == conversation
            listed = sdk.conversations.items.list(conversation.id, order="asc")
            assert [item.content[0].text for item in listed.data] == ["remember me", "I will"]  # type: ignore[union-attr]
