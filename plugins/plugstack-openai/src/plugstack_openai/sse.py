"""Reading server-sent events (the ``text/event-stream`` of a streamed OpenAI response)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp

__all__ = ["read_sse_data"]


async def read_sse_data(content: aiohttp.StreamReader) -> AsyncIterator[list[bytes]]:
    """Yield, for each block read from the socket, the ``data`` of the events it completes.

    Follows the SSE rules that OpenAI-compatible servers rely on: lines end in LF or CRLF,
    several ``data:`` lines of one event are joined with newlines, comment lines (``:``,
    the keep-alive pings of sse-starlette) and other fields are ignored.

    The socket is read a block at a time (``iter_any``) and the events are split out of
    the blocks: an upstream sends many events per network write, and reading them line by
    line costs two awaits per event; yielding them a block at a time, one resumption of
    this generator per block. An event cut across blocks waits in ``pending``.
    """
    pending = b""
    async for block in content.iter_any():
        pending += block
        if b"\r" in block:
            # a CR at the very end stays: its LF may be the next block's first byte
            pending = pending.replace(b"\r\n", b"\n")
        *events, pending = pending.split(b"\n\n")
        completed = [data for data in map(_event_data, events) if data is not None]
        if completed:
            yield completed
    last = _event_data(pending.rstrip(b"\r\n"))
    if last is not None:
        yield [last]


def _event_data(event: bytes) -> bytes | None:
    """The joined ``data`` lines of one event; ``None`` if it has none (a comment, a ping)."""
    if event.startswith(b"data: ") and b"\n" not in event:
        return event[6:]  # the common case: one event, one data line
    data = [line[5:].removeprefix(b" ") for line in event.split(b"\n") if line.startswith(b"data:")]
    return b"\n".join(data) if data else None
