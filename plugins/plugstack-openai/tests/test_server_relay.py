"""The server's byte relay of streamed chat (``chat_completion_sse``), end to end.

A real plugstack server (uvicorn on 127.0.0.1) serves ``remote::openai-compatible`` in
front of the stand-in upstream of ``conftest.py``, whose events are ``json.dumps`` output
(``"key": value``, with spaces): a re-serialised chunk could never equal them byte for byte.
"""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Awaitable, Generator, Iterator
from typing import Any

import httpx
import openai
import plugstack_openai
import pytest
from openai.types.chat import ChatCompletionMessageParam

from plugstack import hookimpl
from plugstack.api_call import ApiCall
from plugstack.apis.inference import ChatCompletionChunk
from plugstack.plugins import PluginHost, new_plugin_host
from plugstack.server.background import BackgroundServer

USER: list[ChatCompletionMessageParam] = [{"role": "user", "content": "hi"}]


def run_config(upstream: Any) -> dict[str, Any]:
    return {
        "distribution_name": "relay",
        "providers": {
            "inference": [
                {
                    "provider_id": "up",
                    "provider_type": "remote::openai-compatible",
                    "config": {"base_url": upstream.base_url, "models": ["plain", "stream-error", "held-stream"]},
                }
            ]
        },
    }


def openai_host() -> PluginHost:
    host = new_plugin_host()
    assert host.register(plugstack_openai, name="openai")
    return host


@pytest.fixture
def server(upstream: Any) -> Iterator[BackgroundServer]:
    with BackgroundServer(run_config(upstream), host=openai_host()) as server:
        yield server


def upstream_payloads(model: str) -> list[bytes]:
    """What the stand-in sends for the plain scenario, as the JSON of each event."""

    def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
        event = {
            "id": "c1",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        return json.dumps(event).encode()

    return [chunk({"role": "assistant", "content": "first"}), chunk({"content": " second"}), chunk({}, "stop")]


def streamed_payloads(server: BackgroundServer, model: str) -> list[bytes]:
    body = {"model": model, "messages": USER, "stream": True}
    with httpx.stream("POST", server.base_url + "/chat/completions", json=body) as response:
        assert response.status_code == 200
        raw = b"".join(response.iter_bytes())
    events = raw.split(b"\n\n")
    assert events[-2:] == [b"data: [DONE]", b""]
    assert all(event.startswith(b"data: ") for event in events[:-2])
    return [event.removeprefix(b"data: ") for event in events[:-2]]


def test_the_upstream_events_are_relayed_byte_for_byte(server: BackgroundServer) -> None:
    assert streamed_payloads(server, "plain") == upstream_payloads("plain")


def test_an_alias_renames_the_model_in_the_relayed_bytes(server: BackgroundServer) -> None:
    registered = httpx.post(
        server.base_url + "/models",
        json={"model_id": 'my "alias"', "provider_id": "up", "provider_model_id": "plain"},
    )
    assert registered.status_code == 200, registered.text
    expected = [p.replace(b'"model": "plain"', b'"model": "my \\"alias\\""') for p in upstream_payloads("plain")]
    assert streamed_payloads(server, 'my "alias"') == expected
    with openai.OpenAI(base_url=server.base_url, api_key="unused", max_retries=0) as client:
        chunks = list(client.chat.completions.create(model='my "alias"', messages=USER, stream=True))
    assert {c.model for c in chunks} == {'my "alias"'}
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "first second"


class ChunkWatcher:
    """A ``plugstack_api_call`` wrapper recording what each streamed item is."""

    def __init__(self) -> None:
        self.seen: list[type] = []

    @hookimpl(wrapper=True)
    def plugstack_api_call(self, call: ApiCall) -> Generator[None, Awaitable[Any], Awaitable[Any]]:
        awaitable = yield

        async def watched() -> Any:
            result = await awaitable
            if not isinstance(result, AsyncIterator):
                return result

            async def items() -> AsyncIterator[Any]:
                async for item in result:
                    self.seen.append(type(item))
                    yield item

            return items()

        return watched()


def test_a_call_wrapper_forces_the_typed_path_and_sees_chunks(upstream: Any) -> None:
    host = openai_host()
    watcher = ChunkWatcher()
    assert host.register(watcher, name="watcher")
    with BackgroundServer(run_config(upstream), host=host) as server:
        payloads = streamed_payloads(server, "plain")
    assert watcher.seen == [ChatCompletionChunk] * 3
    # re-serialised from the chunks: with every field (nulls too), and the same content
    relayed, sent = [json.loads(p) for p in payloads], [json.loads(p) for p in upstream_payloads("plain")]
    assert [event["choices"][0]["delta"] for event in relayed] == [event["choices"][0]["delta"] for event in sent]
    assert all(
        "system_fingerprint" in mine and "system_fingerprint" not in theirs
        for mine, theirs in zip(relayed, sent, strict=True)
    )


def test_an_upstream_error_mid_stream_becomes_the_error_event(server: BackgroundServer) -> None:
    with openai.OpenAI(base_url=server.base_url, api_key="unused", max_retries=0) as client:
        stream = client.chat.completions.create(model="stream-error", messages=USER, stream=True)
        first = next(stream)
        assert first.choices[0].delta.content == "first"
        with pytest.raises(openai.APIError, match="the model crashed"):
            list(stream)


def test_a_client_disconnect_closes_the_relayed_upstream_stream(
    server: BackgroundServer, upstream: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = server.stack.providers[0].impl
    relay = provider.chat_completion_sse
    closed = threading.Event()

    async def watched_relay(request: Any) -> AsyncIterator[bytes]:
        payloads = await relay(request)

        async def watched() -> AsyncIterator[bytes]:
            try:
                async for payload in payloads:
                    yield payload
            finally:
                await payloads.aclose()
                closed.set()

        return watched()

    monkeypatch.setattr(provider, "chat_completion_sse", watched_relay)
    body = {"model": "held-stream", "messages": USER, "stream": True}
    with httpx.stream("POST", server.base_url + "/chat/completions", json=body) as response:
        assert next(response.iter_lines()) == "data: " + upstream_payloads("held-stream")[0].decode()
    # leaving the block closed the connection while the upstream still held its stream
    assert closed.wait(5), "the relayed upstream stream was not closed after the client went away"
