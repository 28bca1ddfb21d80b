"""Streaming over SSE through a real uvicorn server: format, usage, concurrency, disconnects.

To observe the provider's stream being closed, or to make it fail mid-way, a test wraps
the running echo provider's ``chat_completion`` (the real echo stream runs underneath).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from plugstack.apis.inference import ChatCompletionChunk
from plugstack.apis.inference.router import json_payloads
from plugstack.errors import ProviderError, RateLimitError
from plugstack.plugins import PluginHost
from plugstack.server.background import BackgroundServer
from plugstack.server.routing import RequestInfo
from plugstack.server.sse import open_event_stream

USER = [{"role": "user", "content": "one two three four"}]


@pytest.fixture
def client(echo_server: BackgroundServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=echo_server.base_url, api_key="unused", max_retries=0) as client:
        yield client


def wrap_stream(server: BackgroundServer, monkeypatch: pytest.MonkeyPatch, wrapper: Any) -> None:
    """Replace the provider's chat_completion by one whose stream passes through ``wrapper``."""
    provider = server.stack.providers[0].impl
    original = provider.chat_completion

    async def chat_completion(request: Any) -> Any:
        return wrapper(await original(request))

    monkeypatch.setattr(provider, "chat_completion", chat_completion)


def test_sse_wire_format(echo_server: BackgroundServer) -> None:
    body = {"model": "echo-1", "messages": USER, "stream": True}
    with httpx.stream("POST", echo_server.base_url + "/chat/completions", json=body) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
        raw = b"".join(response.iter_bytes())
    events = raw.split(b"\n\n")
    assert events[-1] == b"" and events[-2] == b"data: [DONE]"
    chunks = [json.loads(event.removeprefix(b"data: ")) for event in events[:-2]]
    assert all(event.startswith(b"data: {") for event in events[:-2])
    assert [c["choices"][0]["delta"].get("content") for c in chunks] == ["", "one", " two", " three", " four", None]
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert {c["object"] for c in chunks} == {"chat.completion.chunk"} and {c["model"] for c in chunks} == {"echo-1"}


def test_stream_with_sdk_and_include_usage(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model="echo-1", messages=USER, stream=True, stream_options={"include_usage": True}
    )  # type: ignore[call-overload]
    chunks = list(stream)
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "one two three four"
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 4
    assert all(c.usage is None for c in chunks[:-1])


def test_stream_tool_call(client: openai.OpenAI) -> None:
    tools = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}]
    chunks = list(client.chat.completions.create(model="echo-1", messages=USER, tools=tools, stream=True))  # type: ignore[call-overload]
    calls = [call for c in chunks for call in c.choices[0].delta.tool_calls or []]
    assert [call.function.name for call in calls] == ["lookup"]
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


def test_stream_max_tokens_finishes_with_length(client: openai.OpenAI) -> None:
    chunks = list(client.chat.completions.create(model="echo-1", messages=USER, max_tokens=2, stream=True))  # type: ignore[call-overload]
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "one two"
    assert chunks[-1].choices[0].finish_reason == "length"


def test_error_before_the_first_chunk_keeps_its_status(
    echo_server: BackgroundServer, client: openai.OpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed = threading.Event()

    async def refuses(chunks: AsyncIterator[Any]) -> AsyncIterator[Any]:
        try:
            raise RateLimitError("busy", retry_after=3)
            yield  # an async generator that fails on its first step, like an SDK stream
        finally:
            closed.set()

    wrap_stream(echo_server, monkeypatch, refuses)
    with pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model="echo-1", messages=USER, stream=True)  # type: ignore[call-overload]
    assert caught.value.response.headers["retry-after"] == "3"
    assert closed.is_set()


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (ProviderError("connection reset", provider_id="echo"), "provider 'echo': connection reset"),
        (RuntimeError("a bug in the provider"), "internal server error"),
    ],
)
def test_failure_mid_stream_ends_with_an_error_event(
    echo_server: BackgroundServer, monkeypatch: pytest.MonkeyPatch, failure: Exception, expected: str
) -> None:
    async def fails_after_two(chunks: AsyncIterator[Any]) -> AsyncIterator[Any]:
        sent = 0
        async for chunk in chunks:
            if sent == 2:
                raise failure
            sent += 1
            yield chunk

    wrap_stream(echo_server, monkeypatch, fails_after_two)
    body = {"model": "echo-1", "messages": USER, "stream": True}
    with httpx.stream("POST", echo_server.base_url + "/chat/completions", json=body) as response:
        raw = b"".join(response.iter_bytes())
        request_id = response.headers["x-request-id"]
    events = raw.split(b"\n\n")
    assert len(events) == 4 and events[-1] == b""  # two chunks, the error, nothing after it
    error = json.loads(events[2].removeprefix(b"data: "))["error"]
    assert error["message"].startswith(expected)
    assert b"[DONE]" not in raw and b"a bug" not in raw
    if isinstance(failure, RuntimeError):
        assert request_id in error["message"]

    with openai.OpenAI(base_url=echo_server.base_url, api_key="unused", max_retries=0) as client:
        with pytest.raises(openai.APIError, match=expected):
            list(client.chat.completions.create(model="echo-1", messages=USER, stream=True))  # type: ignore[call-overload]


def test_client_disconnect_closes_the_provider_stream(
    echo_server: BackgroundServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed = threading.Event()

    async def slow_and_watched(chunks: AsyncIterator[Any]) -> AsyncIterator[Any]:
        try:
            async for chunk in chunks:
                yield chunk
                await asyncio.sleep(0.5)  # 50 words: ~25 s if the stream ran to the end
        finally:
            closed.set()

    wrap_stream(echo_server, monkeypatch, slow_and_watched)
    tasks_before = echo_server.call(_task_count())
    body = {"model": "echo-1", "messages": [{"role": "user", "content": "word " * 50}], "stream": True}
    with httpx.stream("POST", echo_server.base_url + "/chat/completions", json=body) as response:
        lines = response.iter_lines()
        assert next(lines).startswith("data: {")
    # leaving the block closed the connection after the first event
    assert closed.wait(5), "the provider's stream was not closed after the client went away"
    monkeypatch.undo()
    with openai.OpenAI(base_url=echo_server.base_url, api_key="unused", max_retries=0) as client:
        reply = client.chat.completions.create(model="echo-1", messages=USER)  # type: ignore[arg-type]
    assert reply.choices[0].message.content == "one two three four"
    assert_no_task_leaked(echo_server, tasks_before)


async def _task_count() -> int:
    return len(asyncio.all_tasks()) - 1  # minus the task counting


def assert_no_task_leaked(server: BackgroundServer, before: int) -> None:
    """The server's loop returns to ``before`` tasks (connections may take a moment to close)."""
    deadline = time.monotonic() + 5
    while server.call(_task_count()) > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.call(_task_count()) == before, "tasks were left behind on the server's event loop"


async def _stream_all(client: openai.AsyncOpenAI, i: int) -> str:
    stream = await client.chat.completions.create(
        model="echo-1", messages=[{"role": "user", "content": f"stream {i} of many"}], stream=True
    )
    return "".join([chunk.choices[0].delta.content or "" async for chunk in stream])


def test_chunks_are_flushed_as_the_provider_yields_them(
    tmp_path: Path, echo_config: dict[str, Any], host: PluginHost
) -> None:
    echo_config["providers"]["inference"][0]["config"] = {"delay_seconds": 0.25}
    config = {**echo_config, "storage": {"kvstore": {"db_path": str(tmp_path / "kv.db")}}}
    body = {"model": "echo-1", "messages": USER, "stream": True}
    with BackgroundServer(config, host=host) as server:
        with httpx.stream("POST", server.base_url + "/chat/completions", json=body) as response:
            arrivals = [time.monotonic() for line in response.iter_lines() if line.startswith("data: {")]
    # six events; the provider waits 0.25 s before each of the four words: a buffering
    # server would deliver them all at once
    assert len(arrivals) == 6
    gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
    assert sum(gap > 0.15 for gap in gaps) >= 3, gaps


def test_100_concurrent_streams_from_a_slow_provider(
    tmp_path: Path, echo_config: dict[str, Any], host: PluginHost
) -> None:
    echo_config["providers"]["inference"][0]["config"] = {"delay_seconds": 0.2}
    config = {**echo_config, "storage": {"kvstore": {"db_path": str(tmp_path / "kv.db")}}}

    async def run_all(base_url: str) -> tuple[list[str], float]:
        async with openai.AsyncOpenAI(base_url=base_url, api_key="unused", max_retries=0) as client:
            started = time.monotonic()
            texts = await asyncio.gather(*(_stream_all(client, i) for i in range(100)))
            return texts, time.monotonic() - started

    with BackgroundServer(config, host=host) as server:
        tasks_before = server.call(_task_count())
        texts, elapsed = asyncio.run(run_all(server.base_url))
        assert texts == [f"stream {i} of many" for i in range(100)]
        # each stream takes 0.8 s; one after another they would take 80 s
        assert elapsed < 20, f"100 streams took {elapsed:.1f} s: they did not run concurrently"
        assert_no_task_leaked(server, tasks_before)


async def test_chunks_ready_together_share_one_message_and_none_waits_for_the_next() -> None:
    """Driven at the ASGI interface, recording ``send``: over TCP, where writes were cut is not observable.

    The provider yields one chunk, then two at once, then waits until the server has sent
    them, then two more and ends: that wait would hang the test if the server held chunks back.
    """
    upstream_block = asyncio.Event()

    async def chunks() -> AsyncIterator[ChatCompletionChunk]:
        for i in range(3):
            yield ChatCompletionChunk(id=str(i), model="m", choices=[])
        await asyncio.wait_for(upstream_block.wait(), timeout=5)
        for i in range(3, 5):
            yield ChatCompletionChunk(id=str(i), model="m", choices=[])

    bodies: list[tuple[list[str], bool]] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            events = [event.removeprefix("data: ") for event in message["body"].decode().split("\n\n")[:-1]]
            ids = [event if event == "[DONE]" else json.loads(event)["id"] for event in events]
            bodies.append((ids, message["more_body"]))
            if len(bodies) == 2:
                upstream_block.set()

    async def receive() -> dict[str, Any]:
        await asyncio.Event().wait()  # the client never leaves
        raise AssertionError("unreachable")

    response = await open_event_stream(json_payloads(chunks()))
    await response({"type": "http", "plugstack": RequestInfo("req-1")}, receive, send)
    assert bodies == [(["0"], True), (["1", "2"], True), (["3", "4", "[DONE]"], False)]
