"""The load generator counts what it should: completions, errors, streams without [DONE]."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from bench.loadgen import chat_body, percentile, run_level


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile(values, 100) == 100.0
    assert percentile([], 50) is None


async def test_level_against_the_mock_completes_every_request(mock_url: str) -> None:
    for stream in (False, True):
        level = await run_level(
            "mock",
            mock_url + "/chat/completions",
            chat_body("m", stream),
            stream=stream,
            concurrency=4,
            requests=40,
            time_cap=30,
        )
        assert (level.completed, level.errors, level.unfinished) == (40, 0, 0)
        assert len(level.latencies_ms) == 40
        assert len(level.ttfc_ms) == (40 if stream else 0)
        assert level.rps > 0


@pytest.fixture
async def flawed_server() -> AsyncIterator[str]:
    """A real server whose streams end without ``data: [DONE]`` and whose other route fails."""

    async def stream_without_done(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"content-type": "text/event-stream"})
        await response.prepare(request)
        await response.write(b'data: {"choices": []}\n\n')
        await response.write_eof()
        return response

    async def failing(request: web.Request) -> web.Response:
        return web.json_response({"error": {"message": "boom"}}, status=500)

    app = web.Application()
    app.router.add_post("/v1/chat/completions", stream_without_done)
    app.router.add_post("/v1/failing", failing)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}/v1"
    await runner.cleanup()


async def test_streams_without_done_and_http_errors_are_counted(flawed_server: str) -> None:
    level = await run_level(
        "flawed",
        flawed_server + "/chat/completions",
        chat_body("m", True),
        stream=True,
        concurrency=2,
        requests=10,
        time_cap=30,
    )
    assert (level.completed, level.errors) == (0, 10)
    assert level.error_kinds == {"stream did not end with data: [DONE]": 10}
    level = await run_level(
        "flawed",
        flawed_server + "/failing",
        chat_body("m", False),
        stream=False,
        concurrency=2,
        requests=10,
        time_cap=30,
    )
    assert level.error_kinds == {"HTTP 500": 10}


async def test_a_level_stops_at_its_time_cap(mock_url: str) -> None:
    level = await run_level(
        "mock",
        mock_url + "/chat/completions",
        chat_body("m", False),
        stream=False,
        concurrency=2,
        requests=10**7,
        time_cap=0.5,
        warmup=0,
    )
    assert 0 < level.completed < 10**7
    assert level.seconds < 2
