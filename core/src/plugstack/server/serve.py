"""``serve()``: what ``plugstack run`` does: load a run config, start it, serve it.

The stack is started before uvicorn binds, in the same event loop, so a bad config or a
provider that cannot start ends the command with its message (the CLI prints it and
exits 1) instead of a half-started server. Ctrl-C or SIGTERM shuts uvicorn down
gracefully, then the app's lifespan closes every provider, and the command exits 0.
"""

from __future__ import annotations

import asyncio
import gc
import ipaddress
import logging
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.applications import Starlette

from plugstack import __version__
from plugstack.distributions import resolve_run_config_path
from plugstack.redaction import redact_config
from plugstack.run_config import load_run_config
from plugstack.server.app import create_app
from plugstack.server.routing import ApiRoute
from plugstack.stack import Stack

__all__ = ["GRACEFUL_SHUTDOWN_SECONDS", "make_uvicorn_config", "serve"]

GRACEFUL_SHUTDOWN_SECONDS = 5
"""How long Ctrl-C waits for open requests; then open streams are cancelled (and their
provider streams closed), so that a long generation cannot hold the shutdown."""

log = logging.getLogger("plugstack.server")


def serve(
    config_name_or_path: str | os.PathLike[str],
    *,
    host: str | None = None,
    port: int | None = None,
    log_level: str = "info",
) -> int:
    """Serve a distribution (by name) or a run.yaml until interrupted; the exit code.

    Raises :class:`plugstack.errors.PlugstackError` when the config is invalid or a
    provider cannot start.
    """
    logging.basicConfig(level=log_level.upper(), format="%(levelname)s:     %(name)s: %(message)s")
    config = load_run_config(resolve_run_config_path(config_name_or_path))
    host = host or config.server.host
    port = config.server.port if port is None else port
    stack = Stack(config)
    app = create_app(stack)
    uvicorn_config = make_uvicorn_config(app, host=host, port=port, log_level=log_level)
    with asyncio.Runner(loop_factory=uvicorn_config.get_loop_factory()) as runner:
        runner.run(_serve(stack, app, uvicorn.Server(uvicorn_config)))
    return 0


def make_uvicorn_config(app: Starlette, *, host: str, port: int, log_level: str) -> uvicorn.Config:
    """How plugstack runs uvicorn: one worker, uvloop and httptools when installed."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        loop="auto",  # uvloop and httptools when installed (plugstack[server])
        http="auto",
        lifespan="on",
        access_log=False,  # our middleware writes one line per request, with model and provider
        log_level=log_level,
        workers=1,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )


async def _serve(stack: Stack, app: Starlette, server: uvicorn.Server) -> None:
    try:
        await stack.start()
        _log_startup(stack, app, server.config)
        # Start-up leaves a large, long-lived heap (pydantic schemas, SQLAlchemy, uvicorn);
        # freezing it keeps full collections from walking it: p99 at concurrency 32 fell
        # from 58 ms to 8 ms in the benchmark (docs/performance.md).
        gc.collect()
        gc.freeze()
        with _signals_end_quietly():
            await server.serve()
    finally:
        await stack.close()  # idempotent: the lifespan has closed it unless start-up failed


def _log_startup(stack: Stack, app: Starlette, config: uvicorn.Config) -> None:
    for instance in stack.providers:
        settings = redact_config(instance.config.model_dump())
        if instance.unavailable:
            continue  # the resolver has logged why, with the command that installs what is missing
        log.info(
            "started provider %s (%s, %s) %s",
            instance.provider_id,
            instance.api,
            instance.spec.provider_type,
            settings,
        )
    for route in app.routes:
        if isinstance(route, ApiRoute):
            log.info("route %-6s %s", route.method, route.path)
    if not stack.config.server.auth.api_keys:
        if _is_loopback(config.host):
            log.info("auth is off (server.auth.api_keys is empty)")
        else:
            log.warning(
                "\n%s\nWARNING: serving on %s with auth OFF: anyone who can reach this address can use every "
                "provider and its credentials. Set server.auth.api_keys in the run config.\n%s",
                "!" * 80,
                config.host,
                "!" * 80,
            )
    log.info("plugstack %s serving %s at http://%s:%d/v1", __version__, stack.config.source, config.host, config.port)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@contextmanager
def _signals_end_quietly() -> Iterator[None]:
    """Make uvicorn's re-raise of SIGINT/SIGTERM after its graceful shutdown a no-op.

    uvicorn restores the handlers it found and then raises the signal it caught again; with
    the defaults that turns a clean shutdown into KeyboardInterrupt (exit 130) or death by
    SIGTERM. The handlers installed here are what it finds, so the command exits 0.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, lambda *_: None) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
