"""A streamed response over HTTP: each event as ``event: <type>\\ndata: {json}\\n\\n``, as OpenAI sends them.

Unlike chat completions (:mod:`plugstack.server.sse`), Responses events are named and the
stream ends with the terminal event, not ``[DONE]``. Everything that can be refused was
refused before the first event (the router prepares the response first), so the status
line is sent at once. A client that disconnects cancels the loop (its iterator is
closed, so the model call stops); a failure the loop does not turn into
``response.failed`` ends the stream with an ``error`` event.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

import anyio
from starlette.types import Receive, Scope, Send

from plugstack.apis.responses.events import Event
from plugstack.errors import PlugstackError
from plugstack.server.errors import internal_error
from plugstack.streams import aclose

__all__ = ["ResponseEventStream"]

log = logging.getLogger("plugstack.responses")

_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),
]


class ResponseEventStream:
    def __init__(self, events: AsyncIterator[Event]) -> None:
        self.events = events

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
        try:
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(_cancel_on_disconnect, receive, tasks.cancel_scope)
                await self._relay(scope, send)
                tasks.cancel_scope.cancel()
        finally:
            with anyio.CancelScope(shield=True):
                await aclose(self.events)

    async def _relay(self, scope: Scope, send: Send) -> None:
        sequence = 0
        try:
            async for event in self.events:
                sequence = event["sequence_number"] + 1
                await send({"type": "http.response.body", "body": encode(event), "more_body": True})
        except PlugstackError as exc:
            log.warning("response stream failed after it started: %s", exc.message)
            await send({"type": "http.response.body", "body": _error(exc, sequence), "more_body": True})
        except Exception:
            request_id = scope["plugstack"].request_id
            log.exception("response stream failed after it started (request id %s)", request_id)
            await send(
                {"type": "http.response.body", "body": _error(internal_error(request_id), sequence), "more_body": True}
            )
        await send({"type": "http.response.body", "body": b"", "more_body": False})


def encode(event: Event) -> bytes:
    data = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    return f"event: {event['type']}\ndata: {data}\n\n".encode()


def _error(exc: PlugstackError, sequence: int) -> bytes:
    return encode(
        {"type": "error", "sequence_number": sequence, "code": exc.code, "message": exc.message, "param": exc.param}
    )


async def _cancel_on_disconnect(receive: Receive, scope: anyio.CancelScope) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
    scope.cancel()
