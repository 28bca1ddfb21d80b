"""Streaming responses as Server-Sent Events, exactly as OpenAI sends them.

Each chunk is one ``data: {json}\\n\\n`` event, sent as soon as the provider yields it;
the stream ends with ``data: [DONE]\\n\\n``. Three things a plain ``StreamingResponse``
does not give us:

- the first chunk is fetched before the status line is sent, so a failure that happens
  before anything streamed (bad key, rate limit) still gets its HTTP status;
- a client that disconnects cancels the wait for the next chunk at once and the provider's
  iterator is closed (``aclose``), so the upstream call stops;
- a failure after the first chunk ends the stream with ``data: {"error": {...}}\\n\\n``,
  and so does the server's shutdown.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import anyio
from pydantic import BaseModel
from starlette.types import Receive, Scope, Send

from plugstack.errors import PlugstackError
from plugstack.server.errors import error_event, internal_error, shutting_down

__all__ = ["EventStreamResponse", "open_event_stream"]

log = logging.getLogger("plugstack.server")

_DONE = b"data: [DONE]\n\n"
_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),  # tell reverse proxies not to buffer either
]


async def open_event_stream(chunks: AsyncIterator[BaseModel]) -> EventStreamResponse:
    """Wait for the first chunk (errors before it propagate as ordinary errors), then stream."""
    try:
        first: BaseModel | None = await anext(chunks)
    except StopAsyncIteration:
        first = None
    except BaseException:
        await _close(chunks)
        raise
    return EventStreamResponse(chunks, first)


class EventStreamResponse:
    """An ASGI response that relays ``chunks`` as SSE events (see the module docstring)."""

    def __init__(self, chunks: AsyncIterator[BaseModel], first: BaseModel | None) -> None:
        self.chunks = chunks
        self.first = first

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
        try:
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(_cancel_on_disconnect, receive, tasks.cancel_scope)
                try:
                    await self._relay(scope, send)
                finally:
                    tasks.cancel_scope.cancel()
        except asyncio.CancelledError:
            # uvicorn cancels what is still open when its shutdown grace period ends: end
            # the stream with an error event instead of cutting it
            await send({"type": "http.response.body", "body": error_event(shutting_down()), "more_body": False})

    async def _relay(self, scope: Scope, send: Send) -> None:
        try:
            if self.first is None:
                tail = _DONE
            else:
                await send(_event(self.first))
                tail = await self._relay_rest(scope, send)
        finally:
            with anyio.CancelScope(shield=True):
                await _close(self.chunks)
        await send({"type": "http.response.body", "body": tail, "more_body": False})

    async def _relay_rest(self, scope: Scope, send: Send) -> bytes:
        """Send chunks until the provider is done; the last event to send ([DONE] or an error)."""
        info = scope["plugstack"]
        while True:
            try:
                chunk = await anext(self.chunks)
            except StopAsyncIteration:
                return _DONE
            except PlugstackError as exc:
                log.warning("stream failed after it started (request id %s): %s", info.request_id, exc.message)
                return error_event(exc, info.provider)
            except Exception:
                log.exception("stream failed after it started (request id %s)", info.request_id)
                return error_event(internal_error(info.request_id))
            await send(_event(chunk))


def _event(chunk: BaseModel) -> dict[str, Any]:
    return {
        "type": "http.response.body",
        "body": b"data: " + chunk.model_dump_json().encode() + b"\n\n",
        "more_body": True,
    }


async def _cancel_on_disconnect(receive: Receive, scope: anyio.CancelScope) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
    scope.cancel()


async def _close(chunks: AsyncIterator[Any]) -> None:
    aclose = getattr(chunks, "aclose", None)
    if aclose is not None:
        await aclose()
