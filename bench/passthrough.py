"""The floor any Python gateway starts from: a Starlette route that forwards the bytes.

One pooled aiohttp ``ClientSession`` forwards each request's body to the upstream in
``$BENCH_UPSTREAM`` (e.g. ``http://127.0.0.1:9100``) and returns the upstream's bytes,
streamed as they arrive when the upstream answers with server-sent events. No parsing, no
validation, no logging: whatever a gateway adds beyond this is its own cost.

Serve it with ``uvicorn bench.passthrough:app --workers 1 --loop uvloop --http httptools``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

__all__ = ["app"]

_FORWARDED_HEADERS = ("content-type", "authorization", "accept")


@asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    connector = aiohttp.TCPConnector(limit=0, ttl_dns_cache=None)
    async with aiohttp.ClientSession(os.environ["BENCH_UPSTREAM"], connector=connector) as session:
        app.state.session = session
        yield


async def forward(request: Request) -> Response:
    session: aiohttp.ClientSession = request.app.state.session
    headers = {k: v for k in _FORWARDED_HEADERS if (v := request.headers.get(k)) is not None}
    upstream = await session.request(request.method, request.url.path, data=await request.body(), headers=headers)
    content_type = upstream.headers.get("content-type", "application/octet-stream")
    if not content_type.startswith("text/event-stream"):
        body = await upstream.read()
        upstream.release()
        return Response(body, status_code=upstream.status, media_type=content_type)

    async def events() -> AsyncIterator[bytes]:
        try:
            async for data in upstream.content.iter_any():
                yield data
        finally:
            upstream.release()

    return StreamingResponse(events(), status_code=upstream.status, media_type=content_type)


app = Starlette(routes=[Route("/v1/{path:path}", forward, methods=["GET", "POST"])], lifespan=_lifespan)
