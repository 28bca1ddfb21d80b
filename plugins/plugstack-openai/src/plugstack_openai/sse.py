"""Reading server-sent events (the ``text/event-stream`` of a streamed OpenAI response)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp

__all__ = ["read_sse_data"]


async def read_sse_data(content: aiohttp.StreamReader) -> AsyncIterator[str]:
    """Yield the ``data`` of each event as soon as its closing blank line arrives.

    Follows the SSE rules that OpenAI-compatible servers rely on: lines end in LF or CRLF,
    several ``data:`` lines of one event are joined with newlines, comment lines (``:``,
    the keep-alive pings of sse-starlette) and other fields are ignored.
    """
    data: list[str] = []
    async for raw in content:
        line = raw.decode("utf-8").rstrip("\r\n")
        if not line:
            if data:
                yield "\n".join(data)
                data = []
        elif line.startswith("data:"):
            value = line[5:]
            data.append(value[1:] if value.startswith(" ") else value)
    if data:
        yield "\n".join(data)
