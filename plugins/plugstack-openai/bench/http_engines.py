"""Which HTTP engine should remote::openai speak through? Measure, don't guess.

Starts a zero-latency OpenAI-shaped upstream (aiohttp.web, its own process, pinned to CPU
0 when there are two), then, pinned to the other CPU, sends non-streaming chat completions
through one pooled client of each engine and reports the p50 latency at concurrency 1 and
the throughput at concurrency 32. The last row is the real provider
(``plugstack_openai.adapter``) on its engine, to show what it adds to the raw floor; then
the same for streamed answers of 50 SSE chunks, raw aiohttp against the provider.

    .venv/bin/python plugins/plugstack-openai/bench/http_engines.py [--requests 3000]

It needs httpx and httpx-aiohttp besides this package (both come with requirements-dev.txt).

These machines are noisy: read the ratios, not the absolute numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import socket
import statistics
import time
from collections.abc import Awaitable, Callable

BODY = json.dumps(
    {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": 0,
        "model": "bench",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "word " * 50}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 50, "total_tokens": 60},
    }
).encode()
REQUEST = {"model": "bench", "messages": [{"role": "user", "content": "hello"}]}
STREAM_CHUNKS = 50
SSE_BODY = (
    b"".join(
        b"data: "
        + json.dumps(
            {
                "id": "chatcmpl-bench",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": "bench",
                "choices": [{"index": 0, "delta": {"content": " word"}, "finish_reason": None}],
            }
        ).encode()
        + b"\n\n"
        for _ in range(STREAM_CHUNKS)
    )
    + b"data: [DONE]\n\n"
)


def serve(port: int) -> None:
    from aiohttp import web

    if len(os.sched_getaffinity(0)) > 1:
        os.sched_setaffinity(0, {0})

    async def chat(request: web.Request) -> web.Response:
        if b'"stream": true' in await request.read():
            return web.Response(body=SSE_BODY, content_type="text/event-stream")
        return web.Response(body=BODY, content_type="application/json")

    app = web.Application()
    app.router.add_post("/v1/chat/completions", chat)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


async def measure(name: str, send: Callable[[], Awaitable[None]], requests: int) -> None:
    for _ in range(50):  # warm the pool
        await send()
    latencies = []
    for _ in range(min(requests, 500)):
        start = time.perf_counter()
        await send()
        latencies.append(time.perf_counter() - start)
    rates = []
    for _ in range(3):  # the median of three rounds: these machines are shared
        remaining = requests

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                await send()

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(32)))
        rates.append(requests / (time.perf_counter() - start))
    rate = statistics.median(rates)
    print(f"| {name} | {statistics.median(latencies) * 1000:.2f} ms | {rate:,.0f} req/s |", flush=True)


async def run(url: str, requests: int) -> None:
    import aiohttp
    import httpx
    from httpx_aiohttp import HttpxAiohttpClient
    from plugstack_openai.adapter import OpenAIProvider
    from plugstack_openai.config import OpenAICompatibleConfig

    from plugstack.apis.inference import ChatCompletion, ChatCompletionRequest

    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    print("| engine | p50 at concurrency 1 | throughput at concurrency 32 |\n|---|---|---|")
    async with httpx.AsyncClient(limits=limits) as client:

        async def httpx_send() -> None:
            (await client.post(url, json=REQUEST)).json()

        await measure("httpx 0.28 AsyncClient", httpx_send, requests)
    async with HttpxAiohttpClient(limits=limits) as client:

        async def httpx_aiohttp_send() -> None:
            (await client.post(url, json=REQUEST)).json()

        await measure("httpx API on aiohttp transport (httpx-aiohttp)", httpx_aiohttp_send, requests)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100)) as session:

        async def aiohttp_send() -> None:
            async with session.post(url, data=json.dumps(REQUEST).encode()) as response:
                json.loads(await response.read())

        await measure("aiohttp ClientSession", aiohttp_send, requests)
    provider = OpenAIProvider(OpenAICompatibleConfig(base_url=url.rsplit("/chat/", 1)[0]))
    request = ChatCompletionRequest.model_validate(REQUEST)

    async def provider_send() -> None:
        await provider.chat_completion(request)

    stream_request = ChatCompletionRequest.model_validate({**REQUEST, "stream": True})

    async def provider_stream() -> None:
        chunks = await provider.chat_completion(stream_request)
        assert not isinstance(chunks, ChatCompletion)
        assert len([chunk async for chunk in chunks]) == STREAM_CHUNKS

    try:
        await measure("plugstack_openai provider (aiohttp, parsed into ChatCompletion)", provider_send, requests)
        print(f"\nstreamed, {STREAM_CHUNKS} chunks per answer:\n")
        print("| engine | p50 whole stream at concurrency 1 | streams/s at concurrency 32 |\n|---|---|---|")
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100)) as session:
            body = json.dumps({**REQUEST, "stream": True}).encode()

            async def aiohttp_stream() -> None:
                async with session.post(url, data=body) as response:
                    events = [line async for line in response.content if line.startswith(b"data: {")]
                    assert len([json.loads(line[6:]) for line in events]) == STREAM_CHUNKS

            await measure("aiohttp ClientSession, lines json-decoded", aiohttp_stream, requests // 5)
        await measure("plugstack_openai provider, chunks parsed", provider_stream, requests // 5)
    finally:
        await provider.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    args = parser.parse_args()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = multiprocessing.Process(target=serve, args=(port,), daemon=True)
    server.start()
    try:
        for _ in range(100):
            with socket.socket() as attempt:
                if attempt.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        if len(os.sched_getaffinity(0)) > 1:
            os.sched_setaffinity(0, {1})
        asyncio.run(run(f"http://127.0.0.1:{port}/v1/chat/completions", args.requests))
    finally:
        server.terminate()
        server.join()


if __name__ == "__main__":
    main()
