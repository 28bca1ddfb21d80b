"""A stand-in OpenAI upstream for the error-path tests of plugstack-openai.

No real server can be made to answer 429, 403 or 503 on demand, so this small Starlette
app, served by a real uvicorn on 127.0.0.1, does: the ``model`` of a request picks the
answer (``status-429``, ``slow``, ``stream-error``...). Every request it receives is kept
in ``upstream.requests`` with the client's port, so tests can see what was sent and over
which connection.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from plugstack.testing.asgi_server import AppServer


class StandInUpstream:
    leaked_key = "sk-" + "standinUpstreamKey0123456789"  # what it quotes back in a 401

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.release_stream = threading.Event()
        app = Starlette(
            routes=[
                Route("/v1/models", self.models),
                Route("/v1/chat/completions", self.chat, methods=["POST"]),
                Route("/v1/embeddings", self.embeddings, methods=["POST"]),
            ]
        )
        self.server = AppServer(app)
        self.port = self.server.port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def _record(self, request: Request) -> dict[str, Any]:
        body = json.loads(await request.body() or b"null")
        assert request.client is not None
        self.requests.append(
            {"path": request.url.path, "body": body, "headers": dict(request.headers), "port": request.client.port}
        )
        return body or {}

    async def models(self, request: Request) -> JSONResponse:
        await self._record(request)
        ids = ["gpt-4o-mini", "text-embedding-3-small", "my-vectors"]
        return JSONResponse(
            {"object": "list", "data": [{"id": i, "object": "model", "created": 1, "owned_by": "org"} for i in ids]}
        )

    async def embeddings(self, request: Request) -> JSONResponse:
        body = await self._record(request)
        data = [{"object": "embedding", "index": i, "embedding": [float(i), 0.5]} for i, _ in enumerate(body["input"])]
        return JSONResponse(
            {"object": "list", "data": data, "model": body["model"], "usage": {"prompt_tokens": 2, "total_tokens": 2}}
        )

    async def chat(self, request: Request) -> Response:
        body = await self._record(request)
        scenario = body["model"]
        if scenario.startswith("status-"):
            status = int(scenario.removeprefix("status-"))
            headers = {"retry-after": "7"} if status == 429 else {}
            message = f"Incorrect API key provided: {self.leaked_key}" if status == 401 else f"upstream says {status}"
            return JSONResponse(
                {"error": {"message": message, "type": "x", "code": None}}, status_code=status, headers=headers
            )
        if scenario == "plain-text-502":
            return Response("Bad Gateway", status_code=502)
        if scenario == "garbage" and not body.get("stream"):
            return JSONResponse({"unexpected": True})
        if scenario == "slow":
            await asyncio.sleep(1)
        if body.get("stream"):
            return StreamingResponse(self._events(scenario), media_type="text/event-stream")
        content = json.dumps(body)  # the answer is the request the upstream received
        return JSONResponse(
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 1,
                "model": scenario,
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
                ],
                "usage": {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7},
                "service_tier": "default",
            }
        )

    async def _events(self, scenario: str) -> AsyncIterator[bytes]:
        def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
            event = {
                "id": "c1",
                "object": "chat.completion.chunk",
                "created": 1,
                "model": scenario,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            return f"data: {json.dumps(event)}\r\n\r\n".encode()

        yield b": ping\r\n\r\n"
        yield chunk({"role": "assistant", "content": "first"})
        if scenario == "garbage":
            yield b"data: not json\n\n"
            return
        if scenario == "stream-error":
            yield b'data: {"error": {"message": "the model crashed"}}\n\n'
            return
        if scenario == "held-stream":  # the rest only after the test saw the first chunk
            await asyncio.get_running_loop().run_in_executor(None, self.release_stream.wait, 10)
        yield chunk({"content": " second"})
        yield chunk({}, "stop")
        yield b"data: [DONE]\n\n"

    def __enter__(self) -> StandInUpstream:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release_stream.set()
        self.server.stop()


@pytest.fixture(scope="module")
def _running_upstream() -> Iterator[StandInUpstream]:
    with StandInUpstream() as server:
        yield server


@pytest.fixture
def upstream(_running_upstream: StandInUpstream) -> StandInUpstream:
    """The module's stand-in upstream, with no requests recorded yet."""
    _running_upstream.requests.clear()
    _running_upstream.release_stream.clear()
    return _running_upstream
