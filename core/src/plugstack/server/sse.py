"""Streaming responses as Server-Sent Events, exactly as OpenAI sends them.

The response relays JSON payloads (bytes): streamed chat comes as the upstream's own event
payloads (``InferenceRouter.chat_completion_stream_bytes``), typed chunks are serialised
by ``json_payloads``. Each payload is one ``data: {json}\\n\\n`` event, sent as soon as the
provider yields it (payloads yielded together share one write); the stream ends with
``data: [DONE]\\n\\n``.
Three things a plain ``StreamingResponse`` does not give us:

- the first payload is fetched before the status line is sent, so a failure that happens
  before anything streamed (bad key, rate limit) still gets its HTTP status;
- a client that disconnects cancels the wait for the next payload at once and the provider's
  iterator is closed (``aclose``), so the upstream call stops;
- a failure after the first payload ends the stream with ``data: {"error": {...}}\\n\\n``,
  and so does the server's shutdown.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import anyio
from anyio.abc import TaskGroup
from starlette.types import Receive, Scope, Send

from plugstack.errors import PlugstackError
from plugstack.server.errors import error_event, internal_error, shutting_down
from plugstack.server.routing import RequestInfo
from plugstack.streams import aclose

__all__ = ["EventStreamResponse", "open_event_stream"]

log = logging.getLogger("plugstack.server")

_DONE = b"data: [DONE]\n\n"
_READY_MAX = 64  # events queued ahead of a slow client: memory stays bounded
_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),  # tell reverse proxies not to buffer either
]


async def open_event_stream(payloads: AsyncIterator[bytes]) -> EventStreamResponse:
    """Wait for the first payload (errors before it propagate as ordinary errors), then stream."""
    try:
        first: bytes | None = await anext(payloads)
    except StopAsyncIteration:
        first = None
    except BaseException:
        await aclose(payloads)
        raise
    return EventStreamResponse(payloads, first)


class EventStreamResponse:
    """An ASGI response that relays ``payloads`` as SSE events (see the module docstring).

    A producer task moves the events into a small queue while the response sends what the
    queue holds: the events of one network block from an upstream arrive together, and are
    sent as one ASGI message (one socket write) instead of one each. Nothing waits to
    batch: the sender takes what is ready the moment the producer has to wait for more.
    """

    def __init__(self, payloads: AsyncIterator[bytes], first: bytes | None) -> None:
        self.payloads = payloads
        self.first = first

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
        try:
            try:
                async with anyio.create_task_group() as tasks:
                    tasks.start_soon(_cancel_on_disconnect, receive, tasks.cancel_scope)
                    await self._relay(scope, send, tasks)
                    tasks.cancel_scope.cancel()
            finally:
                # the producer has ended with the task group: the iterator is no longer running
                with anyio.CancelScope(shield=True):
                    await aclose(self.payloads)
        except asyncio.CancelledError:
            # uvicorn cancels what is still open when its shutdown grace period ends: end
            # the stream with an error event instead of cutting it
            await send({"type": "http.response.body", "body": error_event(shutting_down()), "more_body": False})

    async def _relay(self, scope: Scope, send: Send, tasks: TaskGroup) -> None:
        if self.first is None:
            await send({"type": "http.response.body", "body": _DONE, "more_body": False})
            return
        await send({"type": "http.response.body", "body": _event(self.first), "more_body": True})
        ready: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=_READY_MAX)
        tasks.start_soon(self._produce, scope["plugstack"], ready)
        last = False
        while not last:
            events = [await ready.get()]
            while not ready.empty():
                events.append(ready.get_nowait())
            last = events[-1] is None
            body = b"".join(event for event in events if event is not None)
            await send({"type": "http.response.body", "body": body, "more_body": not last})

    async def _produce(self, info: RequestInfo, ready: asyncio.Queue[bytes | None]) -> None:
        """Queue each payload as its event, then the last event ([DONE] or an error), then ``None``.

        Only bytes are queued, never pydantic chunks (``json_payloads`` serialises each as it
        comes): a block of events must not pile up objects for the garbage collector to walk.
        """
        try:
            async for payload in self.payloads:
                await ready.put(_event(payload))
        except PlugstackError as exc:
            log.warning("stream failed after it started (request id %s): %s", info.request_id, exc.message)
            last = error_event(exc, info.provider)
        except Exception:
            log.exception("stream failed after it started (request id %s)", info.request_id)
            last = error_event(internal_error(info.request_id))
        else:
            last = _DONE
        await ready.put(last)
        await ready.put(None)


def _event(payload: bytes) -> bytes:
    return b"data: " + payload + b"\n\n"


async def _cancel_on_disconnect(receive: Receive, scope: anyio.CancelScope) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
    scope.cancel()
