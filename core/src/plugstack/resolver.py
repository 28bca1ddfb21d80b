"""The resolver: turns a run config into running provider objects, in dependency order.

Every enabled provider is a node; so is each API's router, which depends on all of that
API's providers. A provider that depends on an API depends on its router. Nodes start in
topological order, each provider receiving the routers of the APIs it depends on, and
stop in reverse. Cycles, missing dependencies and unknown provider types are refused
before anything starts.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter
from typing import Any

from pydantic import BaseModel, ValidationError

from plugstack.apis import ROUTING_TABLE_APIS, Api
from plugstack.errors import ResolverError
from plugstack.plugins import PluginHost
from plugstack.provider_spec import ProviderSpec
from plugstack.run_config import ProviderConfig, RunConfig, format_validation_error

__all__ = ["PlannedProvider", "ProviderInstance", "maybe_await", "plan_providers", "start_in_order"]

log = logging.getLogger("plugstack.resolver")


@dataclass
class PlannedProvider:
    """A provider the run config enables, with its validated config, not yet started."""

    api: Api
    provider_id: str
    spec: ProviderSpec
    config: BaseModel


@dataclass
class ProviderInstance:
    """A started provider."""

    api: Api
    provider_id: str
    spec: ProviderSpec
    config: BaseModel
    impl: Any


async def maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


def plan_providers(config: RunConfig, host: PluginHost) -> list[PlannedProvider]:
    """Validate every enabled provider entry; skip those whose required values are empty."""
    planned: list[PlannedProvider] = []
    seen: set[str] = set()
    for api, entries in config.providers.items():
        for index, entry in enumerate(entries):
            where = f"providers.{api.value}[{index}]"
            if not entry.provider_id:
                log.info("%s (%s) is disabled: its provider_id is empty", where, entry.provider_type)
                continue
            if entry.provider_id in seen:
                raise ResolverError(f"{config.source}: {where}: provider_id {entry.provider_id!r} is used twice")
            seen.add(entry.provider_id)
            spec = _find_spec(config, host, api, entry, where)
            if spec.deprecation_warning:
                log.warning("%s: %s is deprecated: %s", where, spec.provider_type, spec.deprecation_warning)
            provider_config = _validate_config(config, spec, entry, where)
            if provider_config is not None:
                planned.append(PlannedProvider(api, entry.provider_id, spec, provider_config))
    return planned


def _find_spec(config: RunConfig, host: PluginHost, api: Api, entry: ProviderConfig, where: str) -> ProviderSpec:
    spec = host.provider(api, entry.provider_type)
    if spec is not None:
        return spec
    broken = [f for f in host.failures if entry.provider_type.split("::")[-1] in (f.plugin + f.package)]
    known = sorted(host.providers().get(api, {})) or ["none installed"]
    hint = f"; plugin {broken[0].plugin!r} failed to load: {broken[0].error}" if broken else ""
    raise ResolverError(
        f"{config.source}: {where}.provider_type: unknown {api.value} provider {entry.provider_type!r} "
        f"(available: {', '.join(known)}){hint}"
    )


def _validate_config(config: RunConfig, spec: ProviderSpec, entry: ProviderConfig, where: str) -> BaseModel | None:
    try:
        config_class = spec.load_config_class()
    except Exception as exc:
        raise ResolverError(f"{where}: cannot import config class {spec.config_class}: {exc}") from None
    try:
        return config_class.model_validate(entry.config)
    except ValidationError as exc:
        empty = [e for e in exc.errors() if e["type"] == "missing" or e.get("input", "") is None]
        if len(empty) == len(exc.errors()):
            fields = ", ".join(".".join(map(str, e["loc"])) for e in empty)
            log.warning("%s (%s) skipped: required value empty: %s", where, entry.provider_id, fields)
            return None
        raise ResolverError(format_validation_error(exc, source=config.source, prefix=f"{where}.config")) from None


async def start_in_order(
    planned: list[PlannedProvider],
    build_router: Callable[[Api, dict[str, Any]], Any],
    started: list[ProviderInstance],
) -> dict[Api, Any]:
    """Start providers and routers in dependency order; return the routers by API.

    ``build_router(api, {provider_id: impl})`` makes (and may await) the routers for an
    API: a mapping of the API (and of its routing-table API, if any) to router objects.
    Each started provider is appended to ``started`` as it starts, so that the caller
    can shut down what did start if a later one fails.
    """
    by_api: dict[Api, list[PlannedProvider]] = {}
    for p in planned:
        by_api.setdefault(p.api, []).append(p)

    graph: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for api, providers in by_api.items():
        graph[("router", api.value)] = {("provider", p.provider_id) for p in providers}
    for p in planned:
        needs: set[tuple[str, str]] = set()
        for dep_api, required in _dependencies(p.spec):
            target = ROUTING_TABLE_APIS.get(dep_api, dep_api)
            if target in by_api:
                needs.add(("router", target.value))
            elif required:
                raise ResolverError(
                    f"provider {p.provider_id!r} ({p.spec.provider_type}) needs the {dep_api.value} API, "
                    f"but the run config enables no {target.value} provider"
                )
        graph[("provider", p.provider_id)] = needs

    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        cycle = " -> ".join(f"{kind} {name}" for kind, name in exc.args[1])
        raise ResolverError(f"providers depend on each other in a cycle: {cycle}") from None

    planned_by_id = {p.provider_id: p for p in planned}
    routers: dict[Api, Any] = {}
    for kind, name in order:
        if kind == "router":
            api = Api(name)
            impls_by_id = {i.provider_id: i.impl for i in started if i.api is api}
            impls = {p.provider_id: impls_by_id[p.provider_id] for p in by_api[api]}  # run config order
            routers.update(await maybe_await(build_router(api, impls)))
            continue
        p = planned_by_id[name]
        deps: dict[Api, Any] = {}
        for dep_api, _required in _dependencies(p.spec):
            if dep_api in routers:
                deps[dep_api] = routers[dep_api]
        impl = await _instantiate(p, deps)
        started.append(ProviderInstance(p.api, p.provider_id, p.spec, p.config, impl))
    return routers


def _dependencies(spec: ProviderSpec) -> list[tuple[Api, bool]]:
    return [(a, True) for a in spec.api_dependencies] + [(a, False) for a in spec.optional_api_dependencies]


async def _instantiate(p: PlannedProvider, deps: dict[Api, Any]) -> Any:
    try:
        factory = p.spec.load_adapter_factory()
    except Exception as exc:
        raise ResolverError(
            f"provider {p.provider_id!r} ({p.spec.provider_type}): cannot import {p.spec.adapter_factory}: "
            f"{type(exc).__name__}: {exc}"
            + (f" (install: {' '.join(p.spec.pip_packages)})" if p.spec.pip_packages else "")
        ) from None
    impl = await maybe_await(factory(p.config, deps))
    initialize = getattr(impl, "initialize", None)
    if initialize is not None:
        await maybe_await(initialize())
    log.info("started provider %s (%s) for %s", p.provider_id, p.spec.provider_type, p.api.value)
    return impl
