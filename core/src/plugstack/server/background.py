"""``BackgroundServer``: a real uvicorn server in a thread, for tests, benchmarks and notebooks.

::

    with BackgroundServer(config, host=plugin_host) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="unused")

The stack starts in the server's own event loop (its providers and database engines are
bound to that loop); use :meth:`call` to run a coroutine there from the calling thread.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from collections.abc import Coroutine, Mapping
from types import TracebackType
from typing import Any, TypeVar

import uvicorn
from starlette.applications import Starlette
from uvicorn.loops.auto import auto_loop_factory

from plugstack.plugins import PluginHost
from plugstack.run_config import RunConfig
from plugstack.server.app import create_app
from plugstack.server.serve import make_uvicorn_config
from plugstack.stack import Stack

__all__ = ["BackgroundServer"]

T = TypeVar("T")


class BackgroundServer:
    """Serve a run config (path, distribution name, mapping or ``RunConfig``) on 127.0.0.1."""

    def __init__(
        self,
        source: str | os.PathLike[str] | Mapping[str, Any] | RunConfig,
        *,
        host: PluginHost | None = None,
        log_level: str = "warning",
        startup_timeout: float = 30.0,
    ) -> None:
        self.source = source
        self.plugin_host = host
        self.log_level = log_level
        self.startup_timeout = startup_timeout
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._server: uvicorn.Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stack: Stack | None = None
        self._app: Starlette | None = None
        self._thread = threading.Thread(target=self._run, name=f"plugstack-server-{self.port}", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """What OpenAI clients take as ``base_url``."""
        return self.url + "/v1"

    @property
    def stack(self) -> Stack:
        if self._stack is None:
            raise RuntimeError("the server has not started")
        return self._stack

    @property
    def app(self) -> Starlette:
        if self._app is None:
            raise RuntimeError("the server has not started")
        return self._app

    def call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run ``coroutine`` on the server's event loop and wait for its result."""
        if self._loop is None:
            raise RuntimeError("the server has not started")
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def __enter__(self) -> BackgroundServer:
        self._thread.start()
        if not self._ready.wait(self.startup_timeout):
            raise TimeoutError(f"the server did not start within {self.startup_timeout} s")
        if self._error is not None:
            self._thread.join()
            raise self._error
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._server is not None:
            self._server.should_exit = True
        self._thread.join()
        self._socket.close()

    def _run(self) -> None:
        try:
            with asyncio.Runner(loop_factory=auto_loop_factory()) as runner:  # the loop serve() uses
                runner.run(self._serve())
        except BaseException as exc:
            self._error = exc
        finally:
            self._ready.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stack = await Stack.from_config(self.source, host=self.plugin_host)
        self._app = create_app(self._stack)
        config = make_uvicorn_config(self._app, host="127.0.0.1", port=self.port, log_level=self.log_level)
        self._server = uvicorn.Server(config)
        serving = asyncio.create_task(self._server.serve(sockets=[self._socket]))
        while not self._server.started and not serving.done():
            await asyncio.sleep(0.005)
        self._ready.set()
        await serving
