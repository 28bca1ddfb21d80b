"""Record-replay: cassettes recorded from a real local HTTP server replay without it.

The upstream here is a small Starlette app served by uvicorn on 127.0.0.1: it streams SSE
events with pauses between them and reports which request it saw, so the tests can tell a
replayed response from a live one (the server is stopped, or its counter did not move).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import httpx
import pytest
import yaml
from httpx_aiohttp import HttpxAiohttpClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from plugstack.testing.asgi_server import AppServer
from plugstack.testing.recording import cassette_path_for, find_secrets, use_cassette

SSE_EVENTS = [{"n": i, "text": f"part {i}"} for i in range(4)]


class Upstream:
    """A real HTTP server on a free port of 127.0.0.1, counting the requests it serves."""

    def __init__(self) -> None:
        self.hits = 0
        app = Starlette(
            routes=[Route("/v1/echo", self.echo, methods=["POST"]), Route("/v1/stream", self.stream, methods=["POST"])]
        )
        self.server = AppServer(app)
        self.url = self.server.url

    async def echo(self, request: Request) -> JSONResponse:
        self.hits += 1
        body = await request.json()
        return JSONResponse({"hit": self.hits, "got": body, "saw_key": request.headers.get("authorization", "")[-4:]})

    async def stream(self, request: Request) -> StreamingResponse:
        self.hits += 1

        async def events() -> AsyncIterator[bytes]:
            for event in SSE_EVENTS:
                await asyncio.sleep(0.01)
                yield f"data: {json.dumps(event)}\n\n".encode()
            yield b"data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    def __enter__(self) -> Upstream:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    with Upstream() as server:
        yield server


SECRET_KEY = "sk-test" + "A1b2C3d4E5f6G7h8I9j0"  # split: this file must not look like it holds a key


async def aiohttp_calls(base_url: str) -> tuple[dict[str, object], list[bytes]]:
    headers = {"Authorization": f"Bearer {SECRET_KEY}", "x-api-key": SECRET_KEY}
    async with aiohttp.ClientSession(headers=headers) as session:
        async with session.post(f"{base_url}/v1/echo?api_key={SECRET_KEY}", data=b'{"b": 2, "a": 1}') as response:
            echoed = await response.json()
        async with session.post(f"{base_url}/v1/stream", data=b'{"stream": true}') as response:
            lines = [line async for line in response.content if line.strip()]
    return echoed, lines


async def test_aiohttp_records_scrubbed_and_replays_without_the_server(tmp_path: Path) -> None:
    cassette = tmp_path / "cassettes" / "t.yaml"
    with Upstream() as server, use_cassette(cassette, "record"):
        live = await aiohttp_calls(server.url)
    assert server.hits == 2
    text = cassette.read_text()
    assert SECRET_KEY not in text and find_secrets(text) == []
    recorded = yaml.safe_load(text)["interactions"]
    assert [i["request"]["uri"].split("?")[0].rsplit("/", 1)[-1] for i in recorded] == ["echo", "stream"]
    assert "authorization" not in {h.lower() for h in recorded[0]["request"]["headers"]}

    # the server is gone; another host and port replay the same interactions, event by event
    with use_cassette(cassette, "replay") as recording:
        replayed = await aiohttp_calls("https://api.example.invalid:8443")
    assert replayed == live
    assert replayed[1] == [f"data: {json.dumps(e)}\n".encode() for e in SSE_EVENTS] + [b"data: [DONE]\n"]
    assert recording.misses == []


async def test_json_bodies_match_whatever_their_key_order(tmp_path: Path, upstream: Upstream) -> None:
    cassette = tmp_path / "c.yaml"
    with use_cassette(cassette, "record"):
        async with httpx.AsyncClient() as client:
            first = (await client.post(f"{upstream.url}/v1/echo", content=b'{"model": "m", "n": 1}')).json()
            second = (await client.post(f"{upstream.url}/v1/echo", content=b'{"model": "m", "n": 2}')).json()
    with use_cassette(cassette, "replay") as recording:
        async with httpx.AsyncClient() as client:
            # asked in the other order, with other spacing and key order: matched by body, not by position
            again_second = (await client.post(f"{upstream.url}/v1/echo", content=b'{"n":2,"model":"m"}')).json()
            again_first = (await client.post(f"{upstream.url}/v1/echo", json={"n": 1, "model": "m"})).json()
    assert (again_first, again_second) == (first, second)
    assert upstream.hits == 2  # replay reached no server
    assert recording.misses == []


async def test_httpx_streams_replay_chunk_for_chunk(tmp_path: Path, upstream: Upstream) -> None:
    async def read_stream(base_url: str) -> list[str]:
        async with (
            httpx.AsyncClient() as client,
            client.stream("POST", f"{base_url}/v1/stream", content=b"{}") as response,
        ):
            return [line async for line in response.aiter_lines() if line]

    cassette = tmp_path / "s.yaml"
    with use_cassette(cassette, "record"):
        live = await read_stream(upstream.url)
    with use_cassette(cassette, "replay"):
        replayed = await read_stream("http://127.0.0.1:1")
    assert replayed == live and len(live) == len(SSE_EVENTS) + 1


async def test_httpx_on_the_aiohttp_transport_is_recorded_once(tmp_path: Path, upstream: Upstream) -> None:
    """The SDKs' ``DefaultAioHttpClient`` layers httpx's API over aiohttp: one request, one interaction."""

    async def calls(base_url: str) -> tuple[object, list[str]]:
        async with HttpxAiohttpClient() as client:
            echoed = (await client.post(f"{base_url}/v1/echo", json={"a": 1})).json()
            async with client.stream("POST", f"{base_url}/v1/stream", json={}) as response:
                return echoed, [line async for line in response.aiter_lines() if line]

    cassette = tmp_path / "layered.yaml"
    with use_cassette(cassette, "record"):
        live = await calls(upstream.url)
    assert len(yaml.safe_load(cassette.read_text())["interactions"]) == 2
    with use_cassette(cassette, "replay") as recording:
        assert await calls("http://127.0.0.1:1") == live
    assert upstream.hits == 2 and recording.misses == []


async def test_replay_reports_an_unmatched_request(tmp_path: Path, upstream: Upstream) -> None:
    cassette = tmp_path / "m.yaml"
    with use_cassette(cassette, "record"):
        async with httpx.AsyncClient() as client:
            await client.post(f"{upstream.url}/v1/echo", json={"question": 1})
    with use_cassette(cassette, "replay") as recording:
        async with httpx.AsyncClient() as client:
            with pytest.raises(Exception, match="Can't play back this request"):
                await client.post(f"{upstream.url}/v1/echo", json={"question": 2})
    assert [(m.method, m.path, json.loads(m.body)) for m in recording.misses] == [("POST", "/v1/echo", {"question": 2})]
    assert "PLUGSTACK_TEST_MODE=record pytest" in recording.how_to_record("tests/test_x.py::test_y")


async def test_record_if_missing_records_once_then_replays(tmp_path: Path, upstream: Upstream) -> None:
    cassette = tmp_path / "once.yaml"
    for _ in range(2):
        with use_cassette(cassette, "record-if-missing"):
            async with httpx.AsyncClient() as client:
                reply = (await client.post(f"{upstream.url}/v1/echo", json={})).json()
        assert reply["hit"] == 1
    assert upstream.hits == 1


async def test_live_mode_records_nothing(tmp_path: Path, upstream: Upstream) -> None:
    cassette = tmp_path / "live.yaml"
    with use_cassette(cassette, "live") as recording:
        async with httpx.AsyncClient() as client:
            await client.post(f"{upstream.url}/v1/echo", json={})
    assert recording.cassette is None and not cassette.exists() and upstream.hits == 1


def test_the_pytest_plugin_and_recording_module_do_not_import_vcrpy() -> None:
    """Every pytest run loads the plugin: vcrpy (and the HTTP clients it patches) wait for a cassette."""
    code = "import sys, plugstack.testing.pytest_plugin, plugstack.testing.recording; assert 'vcr' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_cassette_path_is_under_the_calling_package_tests_folder(tmp_path: Path) -> None:
    test_file = tmp_path / "plugins" / "plugstack-x" / "tests" / "unit" / "test_chat.py"
    path = cassette_path_for(test_file, "TestX::test_stream[gpt 4]")
    assert (
        path
        == tmp_path / "plugins" / "plugstack-x" / "tests" / "cassettes" / "test_chat" / "TestX.test_stream-gpt-4.yaml"
    )


@pytest.mark.parametrize(
    "leak",
    [
        "Authorization: Bearer abcdefgh12345678",
        "sk-proj-" + "abcdefghijklmnopqrstuvwx",
        "sk-ant-" + "api03-abcdefghijklmnopqrstu",
        "gsk_" + "abcdefghijklmnopqrstuvwxyz",
        "AKIA" + "IOSFODNN7EXAMPLE",
        "uri: https://x/v1/models?key=" + "AIzaSyD-secret",
        "interactions:\n- request:\n    headers:\n      x-api-key:\n      - anything\n",
    ],
)
def test_find_secrets_flags_secret_looking_values(leak: str) -> None:
    assert find_secrets(leak)


def test_find_secrets_passes_a_scrubbed_cassette() -> None:
    clean = 'interactions:\n- request:\n    headers:\n      Content-Type:\n      - application/json\n    uri: http://127.0.0.1/v1/chat/completions\n  response:\n    body:\n      string: \'data: {"content": "ask- me"}\'\n'
    assert find_secrets(clean) == []


def test_the_fixture_fails_replay_without_a_cassette_and_says_how_to_record(tmp_path: Path, upstream: Upstream) -> None:
    tests_dir = tmp_path / "pkg" / "tests"
    tests_dir.mkdir(parents=True)
    (tests_dir / "test_inner.py").write_text(
        textwrap.dedent(
            f"""
            import httpx

            def test_call(plugstack_cassette):
                try:
                    httpx.post("{upstream.url}/v1/echo", json={{"q": 1}})
                except Exception:
                    pass  # an SDK may swallow vcrpy's error; the fixture must still fail
            """
        )
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path), str(tests_dir)],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PLUGSTACK_TEST_MODE": "replay"},
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "the cassette does not exist for these requests" in result.stdout
    assert "POST /v1/echo" in result.stdout
    assert "PLUGSTACK_TEST_MODE=record pytest" in result.stdout
    assert upstream.hits == 0
    assert not (tests_dir / "cassettes").exists()
