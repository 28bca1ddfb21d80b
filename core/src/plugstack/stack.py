"""``Stack``: a running set of providers behind one API, used in-process or by the server.

::

    async with await plugstack.Stack.from_config("distributions/local/run.yaml") as stack:
        reply = await stack.inference.chat_completion(model="m", messages=[...])

:class:`SyncStack` offers the same for scripts, without ``async``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from plugstack.apis.definition import RouterContext, UnroutedApi
from plugstack.distributions import resolve_run_config_path
from plugstack.errors import ConfigError, NotImplementedByProviderError
from plugstack.plugins import PluginHost, get_plugin_host
from plugstack.protocols import optional_method
from plugstack.provider_spec import import_object
from plugstack.redaction import redact_text
from plugstack.resolver import ProviderInstance, enabled_standalone_apis, maybe_await, plan_providers, start_in_order
from plugstack.run_config import RunConfig, load_run_config
from plugstack.storage import SqlKVStore, SqlStore, create_engine_for
from plugstack.streams import aclose

__all__ = ["Stack", "SyncStack"]

log = logging.getLogger("plugstack.stack")


class Stack:
    """Providers started from a run config, reachable through one router per API.

    ``stack.router("inference")`` (or ``stack.inference``) is the router of an API; each
    API's definition (:mod:`plugstack.apis.definition`) says how it is built.
    """

    def __init__(self, config: RunConfig, host: PluginHost | None = None) -> None:
        self.config = config
        self.host = host or get_plugin_host()
        self.providers: list[ProviderInstance] = []
        self.routers: dict[str, Any] = {}
        self._engines: list[Any] = []
        self._sqlstore: SqlStore | None = None
        self._router_shutdowns: list[Callable[[], Awaitable[None]]] = []
        self._started = False

    @classmethod
    async def from_config(
        cls,
        source: str | os.PathLike[str] | Mapping[str, Any] | RunConfig,
        *,
        env: Mapping[str, str] | None = None,
        host: PluginHost | None = None,
    ) -> Stack:
        """Load a run config (a path, a distribution name, a mapping or a ``RunConfig``) and start it."""
        if isinstance(source, RunConfig):
            config = source
        elif isinstance(source, Mapping):
            config = load_run_config(source, env)
        else:
            config = load_run_config(resolve_run_config_path(source), env)
        stack = cls(config, host)
        await stack.start()
        return stack

    async def start(self) -> None:
        planned = plan_providers(self.config, self.host)
        self._check_registered_resources()
        kv_engine = create_engine_for(self.config.storage.kvstore, self.config.state_dir() / "kvstore.db")
        self._engines.append(kv_engine)
        self.kvstore = SqlKVStore(kv_engine)
        try:
            await self.kvstore.initialize()
            standalone = enabled_standalone_apis(self.config, self.host.apis, planned)
            self.routers = await start_in_order(
                planned, self.host.apis, self._build_routers, self.providers, standalone
            )
        except BaseException:
            await self.close()
            raise
        self._started = True

    def _check_registered_resources(self) -> None:
        for key in self.config.registered_resources:
            definition = self.host.apis.accepting(key)
            if definition is None:
                accepted = sorted(k for d in self.host.apis for k in d.resources)
                raise ConfigError(
                    f"{self.config.source}: registered_resources.{key}: no installed API registers {key!r} "
                    f"(accepted: {', '.join(accepted) or 'none'})"
                )
            if definition.name not in self.config.providers and not definition.standalone:
                log.warning(
                    "registered_resources.%s is ignored: the run config enables no %s provider", key, definition.name
                )

    async def _build_routers(self, api: str, impls: dict[str, Any]) -> dict[str, Any]:
        definition = self.host.apis[api]
        if definition.router is None:
            return {api: UnroutedApi(api, impls)}
        build = import_object(definition.router)
        context = RouterContext(
            api=api,
            providers=impls,
            provider_types={i.provider_id: i.spec.provider_type for i in self.providers if i.api == api},
            routers=self.routers,
            kvstore=self.kvstore,
            sqlstore=self._sql,
            pm=self.host.pm,
            resources={key: self.config.registered_resources.get(key, []) for key in definition.resources},
            on_shutdown=self._router_shutdowns.append,
        )
        routers: dict[str, Any] = await maybe_await(build(context))
        self.routers.update(routers)  # routers built later (vector stores) use earlier ones
        return routers

    async def _sql(self) -> SqlStore:
        """The SQL store for API data (``storage.sqlstore``), made on first use."""
        if self._sqlstore is None:
            engine = create_engine_for(self.config.storage.sqlstore, self.config.state_dir() / "sqlstore.db")
            self._engines.append(engine)
            self._sqlstore = SqlStore(engine)
        return self._sqlstore

    async def close(self) -> None:
        """Stop routers' background work, shut providers down in reverse start order, release storage."""
        while self._router_shutdowns:
            await self._router_shutdowns.pop()()
        while self.providers:
            instance = self.providers.pop()
            shutdown = optional_method(instance.impl, "shutdown")
            if shutdown is None:
                continue
            try:
                await maybe_await(shutdown())
            except Exception:
                log.exception("provider %s failed to shut down", instance.provider_id)
        for engine in self._engines:
            await engine.dispose()
        self._engines.clear()
        self._started = False

    async def __aenter__(self) -> Stack:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def router(self, api: str) -> Any:
        """The router of ``api`` (a name or an :class:`~plugstack.apis.Api` member)."""
        try:
            return self.routers[api]
        except KeyError:
            definition = self.host.apis[api]  # an unknown name raises, naming the known APIs
            if definition.table_of:  # a table is enabled with the API that owns it
                definition = self.host.apis[definition.table_of]
                api = definition.name
            if definition.standalone:
                raise NotImplementedByProviderError(
                    f"the run config {self.config.source} does not enable the {api} API: list it under 'apis'"
                    + (f" (it needs {', '.join(definition.needs)})" if definition.needs else "")
                ) from None
            raise NotImplementedByProviderError(
                f"the run config {self.config.source} enables no provider for the {api} API"
            ) from None

    def __getattr__(self, name: str) -> Any:
        """``stack.inference``, ``stack.vector_stores``...: the router of the API of that name."""
        host = self.__dict__.get("host")  # absent while __init__ runs
        if host is None or name.startswith("_") or name not in host.apis:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return self.router(name)

    async def provider_health(self) -> list[dict[str, Any]]:
        """Each provider's id, API, type and health (``{"status": "OK"}`` without a check)."""
        report = []
        for instance in self.providers:
            health_check = optional_method(instance.impl, "health")
            status: dict[str, Any] = {"status": "OK"}
            if health_check is not None:
                try:
                    status = dict(await maybe_await(health_check()))
                except Exception as exc:
                    status = {"status": "Error", "message": redact_text(f"{type(exc).__name__}: {exc}")}
            report.append(
                {
                    "provider_id": instance.provider_id,
                    "api": instance.api,
                    "provider_type": instance.spec.provider_type,
                    "health": status,
                }
            )
        return report


class SyncStack:
    """A :class:`Stack` for synchronous code: an event loop runs in a background thread.

    ``with SyncStack.from_config("local") as stack: stack.inference.chat_completion(...)``;
    streaming calls return ordinary iterators.
    """

    def __init__(self, stack: Stack, loop: asyncio.AbstractEventLoop, thread: threading.Thread) -> None:
        self._stack = stack
        self._loop = loop
        self._thread = thread

    @classmethod
    def from_config(cls, source: str | Path | Mapping[str, Any] | RunConfig, **kwargs: Any) -> SyncStack:
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="plugstack-sync", daemon=True)
        thread.start()
        try:
            stack = asyncio.run_coroutine_threadsafe(Stack.from_config(source, **kwargs), loop).result()
        except BaseException:
            loop.call_soon_threadsafe(loop.stop)
            thread.join()
            raise
        return cls(stack, loop, thread)

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self._stack.close(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()

    def __enter__(self) -> SyncStack:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __getattr__(self, name: str) -> Any:
        return _SyncProxy(getattr(self._stack, name), self._loop)


class _SyncProxy:
    """Calls the wrapped object's coroutine methods on the stack's loop and waits for them."""

    def __init__(self, target: Any, loop: asyncio.AbstractEventLoop) -> None:
        self._target = target
        self._loop = loop

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._target, name)
        if not callable(attr):
            return attr
        return self._wrap(attr)

    def _wrap(self, function: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            result = self._run(maybe_await(function(*args, **kwargs)))
            if isinstance(result, AsyncIterator):
                return self._iterate(result)
            return result

        return call

    def _run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def _iterate(self, stream: AsyncIterator[Any]) -> Iterator[Any]:
        try:
            while True:
                try:
                    yield self._run(stream.__anext__())
                except StopAsyncIteration:
                    return
        finally:
            self._run(aclose(stream))
