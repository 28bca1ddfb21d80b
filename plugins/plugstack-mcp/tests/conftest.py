"""MCP servers for the tests: the test server of ``mcp_test_server.py``, over HTTP in a thread or over stdio.

The MCP traffic is real and local (127.0.0.1 or a child process), never recorded: MCP
runs on long-lived streams that a cassette cannot replay, so ``plugstack_cassette`` is
overridden to record nothing.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pytest

from plugstack.testing.asgi_server import AppServer

SERVER_SCRIPT = Path(__file__).with_name("mcp_test_server.py")

_spec = importlib.util.spec_from_file_location("plugstack_mcp_test_server", SERVER_SCRIPT)
assert _spec is not None and _spec.loader is not None
test_server = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(test_server)


@pytest.fixture
def stdio_args() -> dict[str, Any]:
    """Tool group args that launch the test server over stdio."""
    return {"transport": "stdio", "command": sys.executable, "args": [str(SERVER_SCRIPT), "stdio"]}


class HttpMcpServer(AppServer):
    """The test server on 127.0.0.1 under uvicorn in a thread; it can stop and start again on its port."""

    def __init__(
        self, transport: Literal["streamable_http", "sse"] = "streamable_http", *, bearer: str | None = None
    ) -> None:
        super().__init__(self._app, factory=True, lifespan="auto")
        self.transport = transport
        self.bearer = bearer

    @property
    def url(self) -> str:
        path = "/mcp" if self.transport == "streamable_http" else "/sse"
        return f"{super().url}{path}"

    def _app(self) -> Any:
        """A fresh app for each start: an MCP server's HTTP session manager runs once."""
        mcp_server = test_server.build_server()
        if self.transport == "streamable_http":
            app = mcp_server.streamable_http_app(host="127.0.0.1")
        else:
            app = mcp_server.sse_app(host="127.0.0.1")
        return app if self.bearer is None else _require_bearer(app, self.bearer)


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
