"""``AppServer``: any ASGI app served by a real uvicorn on 127.0.0.1, in a thread, for tests.

Stand-in upstreams (an OpenAI-compatible wire, an MCP server) use it::

    with AppServer(app) as server:
        client = SomeSDK(base_url=f"{server.url}/v1")

It can stop and start again on the same port (a test of an upstream that restarts).
A stack is served by :class:`plugstack.server.background.BackgroundServer` instead.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

import uvicorn

from plugstack.testing.ports import free_port

__all__ = ["AppServer"]


class AppServer:
    """Serve ``app`` on ``port`` (a free one when 0); ``app`` may be a factory, called at each start.

    A factory suits apps whose lifespan runs once (an MCP server's session manager): each
    start then gets a fresh app.
    """

    def __init__(
        self,
        app: Any | Callable[[], Any],
        *,
        port: int = 0,
        factory: bool = False,
        lifespan: str = "off",
        start_timeout: float = 10.0,
    ) -> None:
        self.app = app
        self.factory = factory
        self.port = port or free_port()
        self.lifespan = lifespan
        self.start_timeout = start_timeout
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> AppServer:
        app = self.app() if self.factory else self.app
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan=self.lifespan,  # type: ignore[arg-type]
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + self.start_timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the test server did not start on port {self.port}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> AppServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
