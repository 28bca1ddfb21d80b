"""MCP servers for the tests: the test server of ``mcp_test_server.py``, over HTTP in a thread or over stdio.

The MCP traffic is real and local (127.0.0.1 or a child process), never recorded: MCP
runs on long-lived streams that a cassette cannot replay, so ``plugstack_cassette`` is
overridden to record nothing.
"""

from __future__ import annotations

import importlib.util
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pytest
import uvicorn

SERVER_SCRIPT = Path(__file__).with_name("mcp_test_server.py")

_spec = importlib.util.spec_from_file_location("plugstack_mcp_test_server", SERVER_SCRIPT)
assert _spec is not None and _spec.loader is not None
test_server = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(test_server)


@pytest.fixture
def stdio_args() -> dict[str, Any]:
    """Tool group args that launch the test server over stdio."""
    return {"transport": "stdio", "command": sys.executable, "args": [str(SERVER_SCRIPT), "stdio"]}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class HttpMcpServer:
    """The test server on 127.0.0.1 under uvicorn in a thread; it can stop and start again on its port."""

    def __init__(
        self, transport: Literal["streamable_http", "sse"] = "streamable_http", *, bearer: str | None = None
    ) -> None:
        self.transport = transport
        self.bearer = bearer
        self.port = free_port()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        path = "/mcp" if self.transport == "streamable_http" else "/sse"
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> HttpMcpServer:
        mcp_server = test_server.build_server()
        if self.transport == "streamable_http":
            app = mcp_server.streamable_http_app(host="127.0.0.1")
        else:
            app = mcp_server.sse_app(host="127.0.0.1")
        if self.bearer is not None:
            app = _require_bearer(app, self.bearer)
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the test MCP server did not start on port {self.port}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._server = self._thread = None


def _require_bearer(app: Any, token: str) -> Any:
    """``app`` behind a check of ``Authorization: Bearer <token>``: 401 otherwise, as an MCP server with auth answers."""

    async def guarded(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and dict(scope["headers"]).get(b"authorization") != f"Bearer {token}".encode():
            await send({"type": "http.response.start", "status": 401, "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": b"unauthorized"})
            return
        await app(scope, receive, send)

    return guarded


@pytest.fixture(scope="session")
def mcp_http_server() -> Iterator[HttpMcpServer]:
    """One streamable HTTP test server for the whole run (tests that stop a server make their own)."""
    server = HttpMcpServer().start()
    yield server
    server.stop()


@pytest.fixture
def restartable_server() -> Iterator[HttpMcpServer]:
    """A streamable HTTP test server of this test's own, which the test may stop and start."""
    server = HttpMcpServer().start()
    yield server
    server.stop()


@pytest.fixture
def guarded_server() -> Iterator[HttpMcpServer]:
    """A streamable HTTP test server that wants ``Authorization: Bearer sk-test-guarded-123456``."""
    server = HttpMcpServer(bearer="sk-test-guarded-123456").start()
    yield server
    server.stop()


@pytest.fixture
def sse_server() -> Iterator[HttpMcpServer]:
    """The test server over the older HTTP+SSE transport (``/sse``)."""
    server = HttpMcpServer("sse").start()
    yield server
    server.stop()


@pytest.fixture
def plugstack_cassette() -> Iterator[None]:
    """Nothing recorded or replayed: the MCP servers are local and real (see the module docstring)."""
    yield None
