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
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from plugstack.apis import Api
from plugstack.distributions import resolve_run_config_path
from plugstack.errors import ConfigError, NotImplementedByProviderError
from plugstack.files_router import FilesRouter
from plugstack.inference_router import InferenceRouter
from plugstack.plugins import PluginHost, get_plugin_host
from plugstack.redaction import redact_text
from plugstack.resolver import ProviderInstance, maybe_await, plan_providers, start_in_order
from plugstack.routing_table import ModelsRoutingTable
from plugstack.run_config import RunConfig, load_run_config
from plugstack.storage import SqlKVStore, SqlStore, create_engine_for
from plugstack.vector_stores_router import VectorStoresRouter

__all__ = ["Stack", "SyncStack"]

log = logging.getLogger("plugstack.stack")


class Stack:
    """Providers started from a run config, reachable through one router per API."""

    def __init__(self, config: RunConfig, host: PluginHost | None = None) -> None:
        self.config = config
        self.host = host or get_plugin_host()
        self.providers: list[ProviderInstance] = []
        self.routers: dict[Api, Any] = {}
        self._engines: list[Any] = []
        self._sqlstore: SqlStore | None = None
        self._router_shutdowns: list[Callable[[], Any]] = []
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
        kv_engine = create_engine_for(self.config.storage.kvstore, self.config.state_dir() / "kvstore.db")
        self._engines.append(kv_engine)
        self.kvstore = SqlKVStore(kv_engine)
        try:
            await self.kvstore.initialize()
            self.routers = await start_in_order(planned, self._build_router, self.providers)
        except BaseException:
            await self.close()
            raise
        self._started = True

    async def _build_router(self, api: Api, impls: dict[str, Any]) -> dict[Api, Any]:
        routers = await self._new_routers(api, impls)
        self.routers.update(routers)  # routers built later (vector stores) use earlier ones
        return routers

    async def _new_routers(self, api: Api, impls: dict[str, Any]) -> dict[Api, Any]:
        if api is Api.inference:
            table = ModelsRoutingTable(impls, self.kvstore)
            await table.initialize(self.config.registered_resources.models)
            return {Api.inference: InferenceRouter(table, self.host.pm), Api.models: table}
        if api is Api.files:
            return {Api.files: FilesRouter(impls, self.host.pm)}
        if api is Api.vector_io:
            if Api.inference not in self.routers:
                raise ConfigError(
                    "vector stores need an inference provider that serves an embedding model; "
                    "vector_io providers must declare api_dependencies=[Api.inference]"
                )
            files: FilesRouter | None = self.routers.get(Api.files)
            router = VectorStoresRouter(
                impls, self.kvstore, await self._sql(), inference=self.inference, files=files, pm=self.host.pm
            )
            await router.initialize(self.config.registered_resources.vector_stores)
            self._router_shutdowns.append(router.shutdown)
            if files is not None:
                files.add_deleted_listener(router.on_file_deleted)
            return {Api.vector_io: router, Api.vector_stores: router}
        return {api: _NoRouterYet(api, impls)}

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
            shutdown = getattr(instance.impl, "shutdown", None)
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

    def router(self, api: Api) -> Any:
        try:
            return self.routers[api]
        except KeyError:
            raise NotImplementedByProviderError(
                f"the run config {self.config.source} enables no provider for the {api.value} API"
            ) from None

    @property
    def inference(self) -> InferenceRouter:
        router: InferenceRouter = self.router(Api.inference)
        return router

    @property
    def models(self) -> ModelsRoutingTable:
        table: ModelsRoutingTable = self.router(Api.models)
        return table

    @property
    def files(self) -> FilesRouter:
        router: FilesRouter = self.router(Api.files)
        return router

    @property
    def vector_stores(self) -> VectorStoresRouter:
        router: VectorStoresRouter = self.router(Api.vector_stores)
        return router

    async def provider_health(self) -> list[dict[str, Any]]:
        """Each provider's id, API, type and health (``{"status": "OK"}`` without a check)."""
        report = []
        for instance in self.providers:
            health_check = getattr(instance.impl, "health", None)
            status: dict[str, Any] = {"status": "OK"}
            if health_check is not None:
                try:
                    status = dict(await maybe_await(health_check()))
                except Exception as exc:
                    status = {"status": "Error", "message": redact_text(f"{type(exc).__name__}: {exc}")}
            report.append(
                {
                    "provider_id": instance.provider_id,
                    "api": instance.api.value,
                    "provider_type": instance.spec.provider_type,
                    "health": status,
                }
            )
        return report


class _NoRouterYet:
    """An API whose providers start but whose router this version of plugstack lacks."""

    def __init__(self, api: Api, providers: dict[str, Any]) -> None:
        self.api = api
        self.providers = providers

    def __getattr__(self, name: str) -> Any:
        raise NotImplementedByProviderError(
            f"the {self.api.value} API has no router in this version of plugstack; "
            f"its providers are in stack.router(Api.{self.api.value}).providers"
        )


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
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:
                self._run(aclose())
