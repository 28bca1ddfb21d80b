"""A zero-latency OpenAI upstream on 127.0.0.1, cheap enough never to be the bottleneck.

It is a bare asyncio protocol with the ``httptools`` parser (what uvicorn uses) and answers
from bytes built once per model: no framework, no JSON encoding on the hot path. It speaks
just enough of the OpenAI API for a gateway to proxy it:

- ``GET /v1/models``
- ``POST /v1/chat/completions``: a ~50-token answer, or with ``"stream": true`` the same
  answer as server-sent events, one chunk per token, ending with ``data: [DONE]``
  (plus a usage chunk when ``stream_options.include_usage`` is set); when ``tools`` are
  offered and the last message is not a tool result, a call of the first tool instead
  (a sample value for each required argument), so an agent loop gets one tool round
- ``POST /v1/embeddings``: one vector of :data:`EMBEDDING_DIMENSION` floats per input

Run it with ``python -m bench.mock_upstream --port 9100``; it prints ``ready`` once listening.
Its own ceiling is measured by the benchmark as requests served per CPU second.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import time
from collections.abc import Callable
from typing import Any, cast

import httptools

__all__ = ["ANSWER_WORDS", "EMBEDDING_DIMENSION", "MODEL_IDS", "main"]

MODEL_IDS = ["mock-chat", "mock-embed"]
ANSWER_WORDS = ["word"] * 50
EMBEDDING_DIMENSION = 256
CREATED = 1_764_201_600
_ID_TEMPLATE = "chatcmpl-mock-%012d"
_ID_SLOT = (_ID_TEMPLATE % 0).encode()  # every completion gets its own id (stores key on it)


def _json(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def _response(status: int, content_type: str, body: bytes) -> bytes:
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found"}[status]
    head = f"HTTP/1.1 {status} {reason}\r\ncontent-type: {content_type}\r\ncontent-length: {len(body)}\r\n\r\n"
    return head.encode() + body


def _error(status: int, message: str) -> bytes:
    body = _json({"error": {"message": message, "type": "invalid_request_error", "param": None, "code": None}})
    return _response(status, "application/json", body)


def _models() -> bytes:
    data = [{"id": m, "object": "model", "created": CREATED, "owned_by": "mock"} for m in MODEL_IDS]
    return _response(200, "application/json", _json({"object": "list", "data": data}))


def _usage() -> dict[str, int]:
    return {"prompt_tokens": 12, "completion_tokens": len(ANSWER_WORDS), "total_tokens": 12 + len(ANSWER_WORDS)}


def _chat(model: str) -> bytes:
    body = {
        "id": _ID_SLOT.decode(),
        "object": "chat.completion",
        "created": CREATED,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": " ".join(ANSWER_WORDS)},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": _usage(),
    }
    return _response(200, "application/json", _json(body))


def _chat_stream(model: str, include_usage: bool) -> bytes:
    """The whole SSE stream, each event its own HTTP chunk, written in one go."""

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}
        return {
            "id": _ID_SLOT.decode(),
            "object": "chat.completion.chunk",
            "created": CREATED,
            "model": model,
            "choices": [choice],
        }

    events = [chunk({"role": "assistant", "content": ""})]
    events += [chunk({"content": w if i == 0 else " " + w}) for i, w in enumerate(ANSWER_WORDS)]
    events.append(chunk({}, "stop"))
    if include_usage:
        last = chunk({})
        last["choices"], last["usage"] = [], _usage()
        events.append(last)
    payloads = [b"data: " + _json(e) + b"\n\n" for e in events] + [b"data: [DONE]\n\n"]
    head = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\ntransfer-encoding: chunked\r\n\r\n"
    body = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in payloads)
    return head + body + b"0\r\n\r\n"


_SAMPLE_VALUES: dict[str, Any] = {"integer": 1, "number": 1.5, "string": "word", "boolean": True, "array": []}


def _sample_arguments(parameters: dict[str, Any]) -> str:
    """Arguments for a tool's JSON schema: a sample value for each required property."""
    properties = parameters.get("properties") or {}
    return json.dumps(
        {
            name: _SAMPLE_VALUES.get(properties.get(name, {}).get("type"), "word")
            for name in parameters.get("required", [])
        }
    )


def _tool_call(model: str, function: dict[str, Any], stream: bool) -> bytes:
    """A call of ``function`` instead of an answer: what a model that uses tools sends first."""
    call = {
        "id": "call_mock",
        "type": "function",
        "function": {"name": function["name"], "arguments": _sample_arguments(function.get("parameters") or {})},
    }
    usage = {"prompt_tokens": 12, "completion_tokens": 8, "total_tokens": 20}
    if not stream:
        message = {"role": "assistant", "content": None, "tool_calls": [call]}
        choice = {"index": 0, "message": message, "finish_reason": "tool_calls", "logprobs": None}
        body = {"id": _ID_SLOT.decode(), "object": "chat.completion", "created": CREATED, "model": model}
        return _response(200, "application/json", _json({**body, "choices": [choice], "usage": usage}))
    base = {"id": _ID_SLOT.decode(), "object": "chat.completion.chunk", "created": CREATED, "model": model}
    deltas = [
        ({"role": "assistant", "content": None, "tool_calls": [{**call, "index": 0}]}, None),
        ({}, "tool_calls"),
    ]
    events = [{**base, "choices": [{"index": 0, "delta": d, "finish_reason": f, "logprobs": None}]} for d, f in deltas]
    payloads = [b"data: " + _json(e) + b"\n\n" for e in events] + [b"data: [DONE]\n\n"]
    head = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\ntransfer-encoding: chunked\r\n\r\n"
    return head + b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in payloads) + b"0\r\n\r\n"


def _embeddings(model: str, count: int) -> bytes:
    vector = [round((i % 17) / 17 - 0.5, 6) for i in range(EMBEDDING_DIMENSION)]
    data = [{"object": "embedding", "index": i, "embedding": vector} for i in range(count)]
    body = {"object": "list", "data": data, "model": model, "usage": {"prompt_tokens": count, "total_tokens": count}}
    return _response(200, "application/json", _json(body))


class Answers:
    """Every response this mock can give, built on first use and then reused as bytes.

    A cached answer is kept split at its id slots, so that joining the pieces with a new
    fixed-width id gives each completion a unique id at the cost of one ``bytes.join``.
    """

    def __init__(self) -> None:
        self.models = _models()
        self._cache: dict[tuple[str, str, Any], list[bytes]] = {}
        self._ids = itertools.count(1)

    def get(self, kind: str, model: str, variant: Any, build: Callable[[], bytes]) -> bytes:
        key = (kind, model, variant)
        pieces = self._cache.get(key)
        if pieces is None:
            pieces = self._cache[key] = build().split(_ID_SLOT)
        if len(pieces) == 1:
            return pieces[0]
        return (_ID_TEMPLATE % next(self._ids)).encode().join(pieces)

    def for_request(self, method: bytes, path: bytes, body: bytes) -> bytes:
        if path == b"/v1/models" and method == b"GET":
            return self.models
        if method != b"POST" or path not in (b"/v1/chat/completions", b"/v1/embeddings"):
            return _error(404, f"no route {method.decode()} {path.decode()}")
        try:
            request = json.loads(body)
            model = request["model"]
        except (ValueError, KeyError, TypeError):
            return _error(400, "the body must be JSON with a 'model'")
        if path == b"/v1/embeddings":
            inputs = request.get("input")
            count = len(inputs) if isinstance(inputs, list) and inputs and isinstance(inputs[0], str) else 1
            return self.get("embeddings", model, count, lambda: _embeddings(model, count))
        tools, messages = request.get("tools"), request.get("messages") or [{}]
        if tools and request.get("tool_choice") != "none" and messages[-1].get("role") != "tool":
            function, stream = tools[0]["function"], bool(request.get("stream"))
            return self.get("tool_call", model, (function["name"], stream), lambda: _tool_call(model, function, stream))
        if request.get("stream"):
            usage = bool((request.get("stream_options") or {}).get("include_usage"))
            return self.get("stream", model, usage, lambda: _chat_stream(model, usage))
        return self.get("chat", model, None, lambda: _chat(model))


class MockProtocol(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, answers: Answers) -> None:
        self.answers = answers
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        self.url = b""
        self.body: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            assert self.transport is not None
            self.transport.write(_error(400, "malformed HTTP request"))
            self.transport.close()

    def on_message_begin(self) -> None:
        self.url = b""
        self.body = []

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        assert self.transport is not None
        path = self.url.split(b"?", 1)[0]
        self.transport.write(self.answers.for_request(self.parser.get_method(), path, b"".join(self.body)))
        if not self.parser.should_keep_alive():
            self.transport.close()


async def serve(host: str, port: int) -> None:
    answers = Answers()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: MockProtocol(answers), host, port, backlog=1024)
    print(f"ready http://{host}:{port}/v1 ({time.strftime('%H:%M:%S')})", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100)
    args = parser.parse_args()
    try:
        import uvloop
    except ImportError:
        run = asyncio.run
    else:
        run = uvloop.run
    try:
        run(serve(args.host, args.port))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
