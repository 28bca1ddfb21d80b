"""The conversations API in library mode: ``stack.conversations``, its items, and their storage.

A stack with no providers and no ``apis`` enables it (it needs nothing). Items are kept in
the SQL store: SQLite in a temporary directory here, PostgreSQL in the last test.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from plugstack.apis.conversations import (
    FunctionCallItem,
    FunctionCallOutputItem,
    InputText,
    MessageItem,
    OutputText,
)
from plugstack.errors import BadRequestError, NotFoundError
from plugstack.plugins import new_plugin_host
from plugstack.stack import Stack


def sqlite_config(tmp_path: Path) -> dict[str, Any]:
    return {
        "distribution_name": "conversations",
        "providers": {},
        "storage": {
            "kvstore": {"db_path": str(tmp_path / "kv.db")},
            "sqlstore": {"db_path": str(tmp_path / "sql.db")},
        },
    }


async def start(config: dict[str, Any]) -> Stack:
    return await Stack.from_config(config, host=new_plugin_host())


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


def texts(items: list[Any]) -> list[str]:
    return [part.text for item in items for part in item.content]


async def test_create_get_update_delete(tmp_path: Path) -> None:
    async with await start(sqlite_config(tmp_path)) as stack:
        conversations = stack.conversations
        created = await conversations.create_conversation(metadata={"topic": "fruit"})
        assert created.id.startswith("conv_") and created.object == "conversation"
        assert created.metadata == {"topic": "fruit"} and created.created_at > 1_700_000_000

        assert await conversations.get_conversation(created.id) == created
        updated = await conversations.update_conversation(created.id, {"topic": "veg", "lang": "en"})
        assert updated.metadata == {"topic": "veg", "lang": "en"}  # replaced, not merged
        assert (await conversations.get_conversation(created.id)).metadata == {"topic": "veg", "lang": "en"}
        assert (await conversations.update_conversation(created.id, None)).metadata == {}

        deleted = await conversations.delete_conversation(created.id)
        assert (deleted.id, deleted.deleted, deleted.object) == (created.id, True, "conversation.deleted")
        with pytest.raises(NotFoundError, match="not found"):
            await conversations.get_conversation(created.id)


async def test_items_get_ids_statuses_and_openai_shapes(tmp_path: Path) -> None:
    async with await start(sqlite_config(tmp_path)) as stack:
        conversation = await stack.conversations.create_conversation(
            items=[
                {"type": "message", "role": "system", "content": [{"type": "input_text", "text": "Be brief."}]},
                user("What is 2+2?"),
            ]
        )
        added = await stack.conversations.add_items(
            conversation.id,
            [
                {"type": "function_call", "call_id": "call_1", "name": "add", "arguments": '{"a": 2, "b": 2}'},
                {"type": "function_call_output", "call_id": "call_1", "output": "4", "x_custom": {"kept": True}},
                {"role": "assistant", "content": "4."},
                {"type": "reasoning", "summary": []},
                {"type": "mcp_list_tools", "server_label": "calc", "tools": [{"name": "add", "input_schema": {}}]},
            ],
        )
        call, output, answer, reasoning, listed_tools = added.data
        assert isinstance(call, FunctionCallItem) and call.id.startswith("fc_") and call.status == "completed"
        assert isinstance(output, FunctionCallOutputItem) and output.id.startswith("fco_")
        assert output.model_dump()["x_custom"] == {"kept": True}  # fields plugstack does not check are kept
        assert isinstance(answer, MessageItem) and answer.id.startswith("msg_")
        assert answer.content == [OutputText(type="output_text", text="4.", annotations=[])]
        assert reasoning.id.startswith("rs_") and "status" not in reasoning.model_dump()
        assert listed_tools.id.startswith("mcpl_") and "status" not in listed_tools.model_dump()
        assert (added.first_id, added.last_id, added.has_more) == (call.id, listed_tools.id, False)

        listed = await stack.conversations.list_items(conversation.id, order="asc")
        system, question = listed.data[:2]
        assert isinstance(question, MessageItem) and question.role == "user" and question.status == "completed"
        assert question.content == [InputText(type="input_text", text="What is 2+2?")]
        assert question.model_dump() == {
            "type": "message",
            "id": question.id,
            "role": "user",
            "content": [{"type": "input_text", "text": "What is 2+2?"}],
            "status": "completed",
        }
        assert [item.id for item in listed.data] == [system.id, question.id] + [item.id for item in added.data]

        given = await stack.conversations.add_items(conversation.id, [{**user("mine"), "id": "msg_chosen"}])
        assert given.data[0].id == "msg_chosen"
        assert await stack.conversations.get_item(conversation.id, "msg_chosen") == given.data[0]


async def test_items_may_be_pydantic_models_as_the_responses_api_has_them(tmp_path: Path) -> None:
    from openai.types.responses import ResponseFunctionToolCall, ResponseOutputMessage, ResponseOutputText

    mine = MessageItem(role="user", content=[InputText(type="input_text", text="hi")])
    sdk_message = ResponseOutputMessage(
        id="msg_sdk",
        type="message",
        role="assistant",
        status="completed",
        content=[ResponseOutputText(type="output_text", text="hello", annotations=[])],
    )
    sdk_call = ResponseFunctionToolCall(type="function_call", call_id="call_1", name="f", arguments="{}")
    async with await start(sqlite_config(tmp_path)) as stack:
        conversation = await stack.conversations.create_conversation()
        added = await stack.conversations.add_items(conversation.id, [mine, sdk_message, sdk_call])
        assert [item.id for item in added.data[:2]] == [mine.id, "msg_sdk"]
        assert added.data[1].model_dump() == {
            "type": "message",
            "id": "msg_sdk",
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": "hello", "annotations": []}],
        }
        assert isinstance(added.data[2], FunctionCallItem) and added.data[2].id.startswith("fc_")


async def test_pagination_both_orders_with_after(tmp_path: Path) -> None:
    async with await start(sqlite_config(tmp_path)) as stack:
        conversation = await stack.conversations.create_conversation(items=[user(f"m{i}") for i in range(7)])
        for order, expected in (("asc", [f"m{i}" for i in range(7)]), ("desc", [f"m{i}" for i in reversed(range(7))])):
            seen: list[str] = []
            after = None
            pages = 0
            while True:
                page = await stack.conversations.list_items(conversation.id, after=after, limit=3, order=order)
                seen += texts(page.data)
                pages += 1
                assert page.first_id == page.data[0].id and page.last_id == page.data[-1].id
                if not page.has_more:
                    break
                after = page.last_id
            assert seen == expected and pages == 3
        default = await stack.conversations.list_items(conversation.id)
        assert texts(default.data) == [f"m{i}" for i in reversed(range(7))]  # desc by default
        last = (await stack.conversations.list_items(conversation.id, order="asc", limit=100)).data[-1]
        empty = await stack.conversations.list_items(conversation.id, order="asc", after=last.id)
        assert (empty.data, empty.first_id, empty.last_id, empty.has_more) == ([], None, None, False)


async def test_unknown_conversations_and_items_are_404s(tmp_path: Path) -> None:
    async with await start(sqlite_config(tmp_path)) as stack:
        conversations = stack.conversations
        missing = "conv_nope"
        for call in (
            conversations.get_conversation(missing),
            conversations.update_conversation(missing, {"a": "b"}),
            conversations.delete_conversation(missing),
            conversations.add_items(missing, [user("x")]),
            conversations.list_items(missing),
            conversations.get_item(missing, "msg_x"),
            conversations.delete_item(missing, "msg_x"),
        ):
            with pytest.raises(NotFoundError) as info:
                await call
            assert info.value.param == "conversation_id" and missing in info.value.message
        conversation = await conversations.create_conversation(items=[user("x")])
        for item_call in (
            conversations.get_item(conversation.id, "msg_x"),
            conversations.delete_item(conversation.id, "msg_x"),
        ):
            with pytest.raises(NotFoundError) as info:
                await item_call
            assert info.value.param == "item_id"
        with pytest.raises(NotFoundError) as info:
            await conversations.list_items(conversation.id, after="msg_x")
        assert info.value.param == "after"


@pytest.mark.parametrize(
    ("items", "field"),
    [
        ([user("ok"), user("ok"), {"type": "message", "content": "no role"}], "items[2].role"),
        ([{"role": "user"}], "items[0].content"),
        ([{"role": "robot", "content": "x"}], "items[0].role"),
        ([{"type": "function_call_output", "output": "4"}], "items[0].call_id"),
        ([{"type": "function_call_output", "call_id": "c", "output": 4}], "items[0].output"),
        ([{"type": "function_call", "call_id": "c", "arguments": "{}"}], "items[0].name"),
        ([{"type": "file_search_call", "queries": "not a list"}], "items[0].queries"),
        ([{"type": "web_search_call"}], "items[0].action"),
        ([{"type": "mcp_call", "name": "add", "arguments": "{}"}], "items[0].server_label"),
        ([{"type": "teleport"}], "items[0].type"),
        ([user("ok"), "not an object"], "items[1]"),
        ([{"role": "user", "content": [{"type": "input_text"}]}], "items[0].content[0].text"),
        ([{"role": "user", "content": [{"type": "hologram"}]}], "items[0].content[0].type"),
        ([{"role": "user", "content": [{"type": "input_image"}]}], "items[0].content[0]"),
        ([{"role": "user", "content": [{"type": "output_text", "text": "x"}]}], "items[0].content[0].type"),
        ([{"role": "assistant", "content": [{"type": "input_text", "text": "x"}]}], "items[0].content[0].type"),
        ([{**user("a"), "id": "msg_same"}, {**user("b"), "id": "msg_same"}], "items[1].id"),
        ([{**user("a"), "id": ""}], "items[0].id"),
        ([user("x")] * 21, "items"),
    ],
)
async def test_bad_items_are_400s_naming_the_field(tmp_path: Path, items: list[Any], field: str) -> None:
    async with await start(sqlite_config(tmp_path)) as stack:
        conversation = await stack.conversations.create_conversation(items=[user("before")])
        for call in (
            stack.conversations.add_items(conversation.id, items),
            stack.conversations.create_conversation(items=items),
        ):
            with pytest.raises(BadRequestError) as info:
                await call
            assert info.value.param == field, info.value.message
            assert field in info.value.message
        listed = await stack.conversations.list_items(conversation.id)
        assert texts(listed.data) == ["before"]  # nothing of a refused request is stored


async def test_an_id_already_in_the_conversation_is_refused(tmp_path: Path) -> None:
    async with await start(sqlite_config(tmp_path)) as stack:
        conversation = await stack.conversations.create_conversation(items=[{**user("a"), "id": "msg_a"}])
        with pytest.raises(BadRequestError) as info:
            await stack.conversations.add_items(conversation.id, [user("b"), {**user("again"), "id": "msg_a"}])
        assert info.value.param == "items[1].id"
        assert texts((await stack.conversations.list_items(conversation.id)).data) == ["a"]


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        ({f"k{i}": "v" for i in range(17)}, "at most 16"),
        ({"k" * 65: "v"}, "longer than 64"),
        ({"k": "v" * 513}, "longer than 512"),
        ({"k": 1}, "valid string"),
    ],
)
async def test_bad_metadata_is_a_400(tmp_path: Path, metadata: dict[str, Any], message: str) -> None:
    async with await start(sqlite_config(tmp_path)) as stack:
        with pytest.raises(BadRequestError, match=message) as info:
            await stack.conversations.create_conversation(metadata=metadata)
        assert info.value.param is not None and info.value.param.startswith("metadata")
        conversation = await stack.conversations.create_conversation(metadata={f"k{i}": "v" for i in range(16)})
        with pytest.raises(BadRequestError, match=message):
            await stack.conversations.update_conversation(conversation.id, metadata)


async def test_bad_list_parameters_are_400s(tmp_path: Path) -> None:
    async with await start(sqlite_config(tmp_path)) as stack:
        conversation = await stack.conversations.create_conversation()
        for kwargs, param in (
            ({"limit": 0}, "limit"),
            ({"limit": 101}, "limit"),
            ({"order": "sideways"}, "order"),
            ({"include": ["everything"]}, "include"),
        ):
            with pytest.raises(BadRequestError) as info:
                await stack.conversations.list_items(conversation.id, **kwargs)
            assert info.value.param == param
        assert (await stack.conversations.list_items(conversation.id, limit=100)).data == []


async def test_deleting_an_item_answers_the_conversation_and_keeps_the_rest_in_order(tmp_path: Path) -> None:
    async with await start(sqlite_config(tmp_path)) as stack:
        conversation = await stack.conversations.create_conversation(items=[user("a"), user("b"), user("c")])
        b = (await stack.conversations.list_items(conversation.id, order="asc")).data[1]
        assert await stack.conversations.delete_item(conversation.id, b.id) == conversation
        await stack.conversations.add_items(conversation.id, [user("d")])
        assert texts((await stack.conversations.list_items(conversation.id, order="asc")).data) == ["a", "c", "d"]
        with pytest.raises(NotFoundError):
            await stack.conversations.get_item(conversation.id, b.id)


async def test_deleting_a_conversation_deletes_its_items(tmp_path: Path) -> None:
    async with await start(sqlite_config(tmp_path)) as stack:
        doomed = await stack.conversations.create_conversation(items=[{**user("a"), "id": "msg_shared"}])
        kept = await stack.conversations.create_conversation(items=[{**user("b"), "id": "msg_shared"}])
        await stack.conversations.delete_conversation(doomed.id)
        db = await stack.conversations._db()
        assert await db.get_item(doomed.id, "msg_shared") is None  # the rows are gone, not just hidden
        assert await db.page(doomed.id, after=None, limit=10, descending=False) == []
        assert texts((await stack.conversations.list_items(kept.id)).data) == ["b"]


async def test_conversations_and_items_survive_a_restart(tmp_path: Path) -> None:
    config = sqlite_config(tmp_path)
    async with await start(config) as stack:
        conversation = await stack.conversations.create_conversation(items=[user("first")], metadata={"k": "v"})
        await stack.conversations.add_items(conversation.id, [{"role": "assistant", "content": "second"}])
        before = await stack.conversations.list_items(conversation.id)
    async with await start(config) as stack:
        assert await stack.conversations.get_conversation(conversation.id) == conversation
        assert await stack.conversations.list_items(conversation.id) == before
        await stack.conversations.add_items(conversation.id, [user("third")])
        assert texts((await stack.conversations.list_items(conversation.id, order="asc")).data) == [
            "first",
            "second",
            "third",
        ]


async def add_concurrently(stack: Stack, adders: int, per_add: int) -> None:
    """``adders`` concurrent add_items calls on one conversation: each item once, each batch together."""
    conversation = await stack.conversations.create_conversation(items=[user("start")])
    batches = [[user(f"a{a}-{i}") for i in range(per_add)] for a in range(adders)]
    results = await asyncio.gather(*(stack.conversations.add_items(conversation.id, batch) for batch in batches))
    assert all(len(result.data) == per_add for result in results)

    listed: list[Any] = []
    after = None
    while True:
        page = await stack.conversations.list_items(conversation.id, after=after, limit=7, order="asc")
        listed += page.data
        if not page.has_more:
            break
        after = page.last_id
    seen = texts(listed)
    assert seen[0] == "start"
    assert sorted(seen[1:]) == sorted(text for batch in batches for text in texts_of(batch))
    assert len(set(item.id for item in listed)) == len(listed) == 1 + adders * per_add
    # each add's items are contiguous and in the order given
    for offset in range(1, len(seen), per_add):
        adder = seen[offset].split("-")[0]
        assert seen[offset : offset + per_add] == [f"{adder}-{i}" for i in range(per_add)]
    # the order is stable: listed again, newest first, it is the same order reversed
    newest_first = await stack.conversations.list_items(conversation.id, limit=100)
    assert [item.id for item in newest_first.data] == [item.id for item in reversed(listed)]


def texts_of(batch: list[dict[str, Any]]) -> list[str]:
    return [item["content"] for item in batch]


async def test_32_concurrent_adds_keep_every_item_once_and_in_order(tmp_path: Path) -> None:
    async with await start(sqlite_config(tmp_path)) as stack:
        await add_concurrently(stack, adders=32, per_add=3)


async def test_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    config = {
        "distribution_name": "conversations-pg",
        "providers": {},
        "storage": {
            "kvstore": {"db_path": str(tmp_path / "kv.db")},
            "sqlstore": {"type": "postgres", "url": postgres_url},
        },
    }
    async with await start(config) as stack:
        await add_concurrently(stack, adders=32, per_add=3)
        conversation = await stack.conversations.create_conversation(items=[user("kept")], metadata={"db": "pg"})
        doomed = await stack.conversations.create_conversation(items=[user("gone")])
        await stack.conversations.delete_conversation(doomed.id)
    async with await start(config) as stack:
        assert (await stack.conversations.get_conversation(conversation.id)).metadata == {"db": "pg"}
        assert texts((await stack.conversations.list_items(conversation.id)).data) == ["kept"]
        with pytest.raises(NotFoundError):
            await stack.conversations.list_items(doomed.id)
        # PostgreSQL text holds no NUL: such ids are simply unknown, or refused as input
        with pytest.raises(NotFoundError):
            await stack.conversations.get_item(conversation.id + "\x00", "msg\x00")
        with pytest.raises(BadRequestError) as info:
            await stack.conversations.add_items(conversation.id, [{**user("x"), "id": "msg\x00"}])
        assert info.value.param == "items[0].id"
