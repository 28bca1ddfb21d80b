"""Stored chat completions (``store: true``) as OpenAI defines them, in library mode and over HTTP.

Over HTTP the official ``openai`` SDK is the client, against a real server with two
providers: ``inline::echo`` (its streams take the typed path) and a relaying echo that
has ``chat_completion_sse`` (its streams take the byte relay). Each test tags what it
stores with its own metadata and filters by it, since the server is shared.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, ClassVar

import httpx
import openai
import pytest

import plugstack
from plugstack.apis import Api
from plugstack.apis.inference import ChatCompletion, ChatCompletionChunk, ChatCompletionRequest
from plugstack.errors import BadRequestError, NotFoundError
from plugstack.plugins import PluginHost, new_plugin_host
from plugstack.provider_spec import ProviderSpec
from plugstack.server.background import BackgroundServer
from plugstack.stack import Stack
from plugstack.testing.echo import EchoPlugin, EchoProvider

USER = [{"role": "user", "content": "hello there"}]


class RelayingEcho(EchoProvider):
    """``inline::echo`` with the byte relay, recording each request as ``plugstack-openai`` would send it."""

    sent: ClassVar[list[dict[str, Any]]] = []

    async def chat_completion(
        self, request: ChatCompletionRequest
    ) -> ChatCompletion | AsyncIterator[ChatCompletionChunk]:
        RelayingEcho.sent.append(json.loads(request.model_dump_json(exclude_unset=True)))
        return await super().chat_completion(request)

    async def chat_completion_sse(self, request: ChatCompletionRequest) -> AsyncIterator[bytes]:
        chunks = await self.chat_completion(request)
        assert not isinstance(chunks, ChatCompletion)

        async def payloads() -> AsyncIterator[bytes]:
            async for chunk in chunks:
                yield chunk.model_dump_json(exclude_none=True).encode()

        return payloads()


class RelayingEchoPlugin:
    @plugstack.hookimpl
    def plugstack_inference_providers(self) -> list[ProviderSpec]:
        return [
            ProviderSpec(
                api=Api.inference,
                provider_type="inline::echo-relay",
                config_class="plugstack.testing.echo:EchoConfig",
                adapter_factory=f"{__name__}:RelayingEcho",
                description="test double: echo with chat_completion_sse",
            )
        ]


def make_host() -> PluginHost:
    host = new_plugin_host()
    assert host.register(EchoPlugin(), name="echo")
    assert host.register(RelayingEchoPlugin(), name="echo-relay")
    return host


def config(state: Path, sqlstore: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "distribution_name": "stored-test",
        "providers": {
            "inference": [
                {"provider_id": "echo", "provider_type": "inline::echo", "config": {"models": ["echo-1", "echo-2"]}},
                {
                    "provider_id": "relay",
                    "provider_type": "inline::echo-relay",
                    "config": {"models": ["relay-1"], "embedding_models": []},
                },
            ]
        },
        "storage": {
            "kvstore": {"db_path": str(state / "kv.db")},
            "sqlstore": sqlstore or {"db_path": str(state / "sql.db")},
        },
    }


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundServer]:
    with BackgroundServer(config(tmp_path_factory.mktemp("stored")), host=make_host()) as background:
        yield background


@pytest.fixture
def client(server: BackgroundServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=server.base_url, api_key="x", max_retries=0) as sdk:
        yield sdk


@pytest.fixture
def tag() -> dict[str, str]:
    """Metadata that only this test's completions carry."""
    return {"test": uuid.uuid4().hex}


def create(client: openai.OpenAI, tag: dict[str, str], text: str = "hello there", **params: Any) -> str:
    """A stored completion (streamed with ``stream=True``); its id as the client saw it."""
    params.setdefault("model", "echo-1")
    messages = params.pop("messages", [{"role": "user", "content": text}])
    if params.get("stream"):
        with client.chat.completions.create(messages=messages, store=True, metadata=tag, **params) as stream:
            ids = {chunk.id for chunk in stream}
        assert len(ids) == 1
        return ids.pop()
    return client.chat.completions.create(messages=messages, store=True, metadata=tag, **params).id


# -- library mode -------------------------------------------------------------------------------


async def test_library_stores_retrieves_and_lists(tmp_path: Path) -> None:
    async with await Stack.from_config(config(tmp_path), host=make_host()) as stack:
        plain = await stack.inference.chat_completion(model="echo-1", messages=USER)
        answer = await stack.inference.chat_completion(model="echo-1", messages=USER, store=True, metadata={"k": "v"})
        stored = await stack.inference.get_chat_completion(answer.id)
        assert stored.choices[0].message.content == answer.choices[0].message.content == "hello there"
        assert stored.metadata == {"k": "v"} and stored.model == "echo-1"
        assert [c.id for c in (await stack.inference.list_chat_completions()).data] == [answer.id]
        messages = await stack.inference.list_chat_completion_messages(answer.id)
        assert [(m.id, m.role, m.content) for m in messages.data] == [(f"{answer.id}-0", "user", "hello there")]
        with pytest.raises(NotFoundError):
            await stack.inference.get_chat_completion(plain.id)  # store unset: not stored


async def test_library_stores_a_stream_before_it_ends(tmp_path: Path) -> None:
    async with await Stack.from_config(config(tmp_path), host=make_host()) as stack:
        chunks = await stack.inference.chat_completion(
            model="echo-1", messages=USER, stream=True, store=True, stream_options={"include_usage": True}
        )
        seen = [chunk async for chunk in chunks]
        stored = await stack.inference.get_chat_completion(seen[0].id)
        assert stored.choices[0].message.content == "hello there"
        assert stored.choices[0].finish_reason == "stop"
        assert stored.usage is not None and stored.usage.completion_tokens == 2


async def test_a_stream_closed_early_stores_nothing(tmp_path: Path) -> None:
    async with await Stack.from_config(config(tmp_path), host=make_host()) as stack:
        chunks = await stack.inference.chat_completion(model="echo-1", messages=USER, stream=True, store=True)
        first = await anext(chunks)
        await chunks.aclose()  # type: ignore[attr-defined]
        with pytest.raises(NotFoundError):
            await stack.inference.get_chat_completion(first.id)
        assert stack.inference.stored._streaming == set()  # the id's claim is released


async def test_a_stack_that_never_stores_never_opens_the_sql_store(tmp_path: Path) -> None:
    async with await Stack.from_config(config(tmp_path), host=make_host()) as stack:
        await stack.inference.chat_completion(model="echo-1", messages=USER, stream=False)
        await stack.inference.chat_completion(model="echo-1", messages=USER, store=False)
    assert not (tmp_path / "sql.db").exists()


async def test_a_repeated_id_gets_a_fresh_one_and_no_record_is_lost(tmp_path: Path) -> None:
    async with await Stack.from_config(config(tmp_path), host=make_host()) as stack:
        request = ChatCompletionRequest(model="echo-1", messages=USER, store=True)  # type: ignore[list-item]
        completion = await stack.inference.chat_completion(request)
        stored = stack.inference.stored
        twin = await stored.add(completion.model_copy(deep=True, update={"choices": []}), request)
        assert twin.id != completion.id and twin.id.startswith("chatcmpl-")
        assert len((await stack.inference.get_chat_completion(completion.id)).choices) == 1
        assert (await stack.inference.get_chat_completion(twin.id)).choices == []
        # a stream whose upstream id is already stored streams (and is stored) under a fresh one
        claimed = await stored.claim(completion.id)
        assert claimed not in (completion.id, twin.id)
        assert await stored.claim(claimed) != claimed  # claimed by a stream in flight
        listed = await stack.inference.list_chat_completions()
        assert {c.id for c in listed.data} == {completion.id, twin.id}


async def test_postgres_store_list_update_delete(tmp_path: Path, postgres_url: str) -> None:
    tag = {"test": uuid.uuid4().hex}  # the database outlives the test; echo ids repeat across runs
    sqlstore = {"type": "postgres", "url": postgres_url}
    async with await Stack.from_config(config(tmp_path, sqlstore), host=make_host()) as stack:
        inference = stack.inference
        ids = [(await inference.chat_completion(model="echo-1", messages=USER, store=True, metadata=tag)).id]
        chunks = await inference.chat_completion(model="echo-2", messages=USER, store=True, metadata=tag, stream=True)
        streamed = [chunk async for chunk in chunks]  # the whole stream: it is stored at its end
        ids.append(streamed[0].id)
        first = await inference.list_chat_completions(metadata=tag, limit=1)
        second = await inference.list_chat_completions(metadata=tag, limit=1, after=first.data[0].id)
        assert [first.data[0].id, second.data[0].id] == ids and first.has_more and not second.has_more
        assert [c.id for c in (await inference.list_chat_completions(metadata=tag, model="echo-2")).data] == ids[1:]
        assert (await inference.get_chat_completion(ids[1])).choices[0].message.content == "hello there"
        updated = await inference.update_chat_completion(ids[0], metadata={**tag, "k": "v"})
        assert updated.metadata == {**tag, "k": "v"}
        assert (await inference.list_chat_completion_messages(ids[0])).data[0].content == "hello there"
        for completion_id in ids:
            assert (await inference.delete_chat_completion(completion_id)).deleted
        assert (await inference.list_chat_completions(metadata=tag)).data == []


# -- over HTTP, with the official SDK -----------------------------------------------------------


@pytest.mark.parametrize("model", ["echo-1", "relay-1"])  # the typed path, the byte relay
def test_sdk_store_retrieve_update_delete(client: openai.OpenAI, tag: dict[str, str], model: str) -> None:
    answer = client.chat.completions.create(model=model, messages=USER, store=True, metadata=tag)
    stored = client.chat.completions.retrieve(answer.id)
    assert stored.id == answer.id and stored.model == model
    assert stored.choices[0].message.content == answer.choices[0].message.content == "hello there"
    assert stored.metadata == tag
    updated = client.chat.completions.update(answer.id, metadata={"only": "this"})
    assert updated.metadata == {"only": "this"} == client.chat.completions.retrieve(answer.id).metadata
    assert client.chat.completions.update(answer.id, metadata=None).metadata == {}
    deleted = client.chat.completions.delete(answer.id)
    assert (deleted.id, deleted.deleted, deleted.object) == (answer.id, True, "chat.completion.deleted")
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.retrieve(answer.id)
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.delete(answer.id)


@pytest.mark.parametrize("model", ["echo-1", "relay-1"])
def test_sdk_streamed_store_is_retrievable_once_done(client: openai.OpenAI, tag: dict[str, str], model: str) -> None:
    with client.chat.completions.create(
        model=model, messages=USER, store=True, metadata=tag, stream=True, stream_options={"include_usage": True}
    ) as stream:
        chunks = list(stream)
    stored = client.chat.completions.retrieve(chunks[0].id)  # [DONE] has come: it is stored
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert stored.choices[0].message.content == text == "hello there"
    assert stored.choices[0].finish_reason == "stop" and stored.model == model
    assert stored.usage is not None and stored.usage.total_tokens == chunks[-1].usage.total_tokens  # type: ignore[union-attr]


def test_sdk_streamed_tool_call_is_stored_whole(client: openai.OpenAI, tag: dict[str, str]) -> None:
    tools = [{"type": "function", "function": {"name": "shout", "parameters": {"type": "object"}}}]
    completion_id = create(client, tag, "be loud", model="relay-1", stream=True, tools=tools)
    call = client.chat.completions.retrieve(completion_id).choices[0].message.tool_calls[0]  # type: ignore[index]
    assert call.type == "function"
    assert (call.function.name, json.loads(call.function.arguments)) == ("shout", {"text": "be loud"})  # type: ignore[union-attr]


def test_store_and_metadata_never_reach_the_provider(client: openai.OpenAI, tag: dict[str, str]) -> None:
    RelayingEcho.sent.clear()
    create(client, tag, model="relay-1")
    create(client, tag, model="relay-1", stream=True)
    client.chat.completions.create(model="relay-1", messages=USER, store=False, metadata=tag)
    assert len(RelayingEcho.sent) == 3
    for sent in RelayingEcho.sent:
        assert "store" not in sent and "metadata" not in sent and sent["messages"] == USER


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_sdk_list_pages_through_every_completion(client: openai.OpenAI, tag: dict[str, str], order: str) -> None:
    created = [
        create(client, tag, f"number {i}", stream=i % 2 == 1, model=("echo-1", "relay-1")[i % 3 == 0]) for i in range(7)
    ]
    first = client.chat.completions.list(metadata=tag, limit=3, order=order)  # type: ignore[arg-type]
    assert first.has_more and len(first.data) == 3
    listed = [completion.id for completion in first]  # the SDK follows ``after`` to the last page
    assert listed == (created if order == "asc" else created[::-1])
    assert [c.id for c in client.chat.completions.list(metadata=tag)] == created  # OpenAI's default: asc


def test_sdk_filters_by_model_and_metadata(client: openai.OpenAI, tag: dict[str, str]) -> None:
    one = create(client, tag, model="echo-1")
    two = create(client, {**tag, "colour": "red"}, model="echo-2")
    three = create(client, {**tag, "colour": "blue"}, model="echo-2", stream=True)
    assert [c.id for c in client.chat.completions.list(metadata=tag, model="echo-2")] == [two, three]
    assert [c.id for c in client.chat.completions.list(metadata={**tag, "colour": "red"})] == [two]
    assert [c.id for c in client.chat.completions.list(metadata=tag, model="echo-1")] == [one]
    assert list(client.chat.completions.list(metadata={**tag, "colour": "green"})) == []


def test_sdk_messages_are_paged_with_ids(client: openai.OpenAI, tag: dict[str, str]) -> None:
    messages: list[Any] = [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "first"},
        {"role": "assistant", "content": "ok"},
        {"role": "user", "content": [{"type": "text", "text": "two "}, {"type": "text", "text": "parts"}]},
        {"role": "user", "content": "last", "name": "ann"},
    ]
    completion_id = create(client, tag, messages=messages)
    page = client.chat.completions.messages.list(completion_id, limit=2)
    assert page.has_more and [m.id for m in page.data] == [f"{completion_id}-0", f"{completion_id}-1"]
    listed = list(page)
    assert [m.id for m in listed] == [f"{completion_id}-{i}" for i in range(5)]
    assert [(m.role, m.content) for m in listed][:3] == [("system", "be brief"), ("user", "first"), ("assistant", "ok")]
    assert listed[3].content == "two parts" and [p.text for p in listed[3].content_parts or []] == ["two ", "parts"]  # type: ignore[union-attr]
    assert listed[4].name == "ann"  # type: ignore[attr-defined]
    backwards = client.chat.completions.messages.list(completion_id, order="desc", limit=3)
    assert [m.id for m in backwards] == [f"{completion_id}-{i}" for i in (4, 3, 2, 1, 0)]


def test_completions_without_store_are_not_stored(client: openai.OpenAI, tag: dict[str, str]) -> None:
    unset = client.chat.completions.create(model="echo-1", messages=USER, metadata=tag)
    false = client.chat.completions.create(model="relay-1", messages=USER, store=False, metadata=tag)
    with client.chat.completions.create(model="relay-1", messages=USER, metadata=tag, stream=True) as stream:
        streamed = [chunk.id for chunk in stream]
    for completion_id in (unset.id, false.id, streamed[0]):
        with pytest.raises(openai.NotFoundError):
            client.chat.completions.retrieve(completion_id)
    assert list(client.chat.completions.list(metadata=tag)) == []


def test_unknown_ids_are_404s(client: openai.OpenAI) -> None:
    for call in (
        lambda: client.chat.completions.retrieve("chatcmpl-nope"),
        lambda: client.chat.completions.update("chatcmpl-nope", metadata={"a": "b"}),
        lambda: client.chat.completions.delete("chatcmpl-nope"),
        lambda: client.chat.completions.messages.list("chatcmpl-nope"),
        lambda: client.chat.completions.list(after="chatcmpl-nope"),
    ):
        with pytest.raises(openai.NotFoundError) as caught:
            call()
        assert "chatcmpl-nope" in str(caught.value)


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/chat/completions?limit=0", "limit"),
        ("/chat/completions?limit=101", "limit"),
        ("/chat/completions?limit=many", "limit"),
        ("/chat/completions?order=sideways", "order"),
        ("/chat/completions?metadata[]=x", "metadata"),
        ("/chat/completions?metadata=x", "metadata"),
    ],
)
def test_bad_list_parameters_are_400s_naming_them(server: BackgroundServer, path: str, param: str) -> None:
    response = httpx.get(server.base_url + path)
    assert response.status_code == 400
    assert response.json()["error"]["param"] == param


def test_bad_messages_parameters_are_400s(client: openai.OpenAI, tag: dict[str, str], server: BackgroundServer) -> None:
    completion_id = create(client, tag)
    for query, param in (("limit=0", "limit"), ("order=up", "order")):
        response = httpx.get(f"{server.base_url}/chat/completions/{completion_id}/messages?{query}")
        assert (response.status_code, response.json()["error"]["param"]) == (400, param)


@pytest.mark.parametrize(
    "metadata",
    [{f"k{i}": "v" for i in range(17)}, {"k" * 65: "v"}, {"k": "v" * 513}, {"k": 1}],
)
def test_metadata_beyond_openais_bounds_is_a_400(client: openai.OpenAI, metadata: dict[str, Any]) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="echo-1", messages=USER, store=True, metadata=metadata)
    assert caught.value.body["param"].startswith("metadata")  # type: ignore[index]
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.update("chatcmpl-any", metadata=metadata)


async def test_library_bad_parameters_are_bad_requests(tmp_path: Path) -> None:
    async with await Stack.from_config(config(tmp_path), host=make_host()) as stack:
        with pytest.raises(BadRequestError, match="limit"):
            await stack.inference.list_chat_completions(limit=0)
        with pytest.raises(BadRequestError, match="order"):
            await stack.inference.list_chat_completion_messages("chatcmpl-x", order="up")
        with pytest.raises(BadRequestError, match="metadata"):
            await stack.inference.update_chat_completion("chatcmpl-x", metadata={"k": 1})


async def test_200_stored_at_concurrency_32_are_all_found(server: BackgroundServer) -> None:
    tag = {"test": uuid.uuid4().hex}
    limits = httpx.Limits(max_connections=32)
    async with openai.AsyncOpenAI(
        base_url=server.base_url, api_key="x", max_retries=0, http_client=httpx.AsyncClient(limits=limits)
    ) as sdk:
        gate = asyncio.Semaphore(32)

        async def one(i: int) -> str:
            model = "relay-1" if i % 4 < 2 else "echo-1"
            async with gate:
                if i % 2:
                    stream = await sdk.chat.completions.create(
                        model=model, messages=USER, store=True, metadata=tag, stream=True
                    )
                    ids = [chunk.id async for chunk in stream]  # to the end: stored before [DONE]
                    return ids[0]
                return (await sdk.chat.completions.create(model=model, messages=USER, store=True, metadata=tag)).id

        created = await asyncio.gather(*(one(i) for i in range(200)))
        assert len(set(created)) == 200
        found = await asyncio.gather(*(sdk.chat.completions.retrieve(c) for c in created))
        assert [f.id for f in found] == list(created)
        listed = [c.id async for c in sdk.chat.completions.list(metadata=tag, limit=100)]
    assert sorted(listed) == sorted(created)
