"""The resolver: turns a run config into running provider objects, in dependency order.

Every enabled provider is a node; so is each API's router, which depends on all of that
API's providers and on the routers its definition ``needs``. A provider that depends on
an API depends on its router. Nodes start in topological order, each provider receiving
the routers of the APIs it depends on, and stop in reverse. Unknown APIs and provider
types, cycles and missing dependencies are refused before anything starts; a provider
that does not implement its API's Protocol is refused before the stack serves.

A provider whose SDK (``ProviderSpec.sdk_modules``) is not installed does not stop the
stack: it is started as an :func:`unavailable_provider` that reports the pip command in
its health and in the error every call gets.
"""

from __future__ import annotations

import importlib.util
import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter
from typing import Any

from pydantic import BaseModel, ValidationError

from plugstack.apis.registry import ApiRegistry
from plugstack.errors import ResolverError
from plugstack.plugins import PluginHost
from plugstack.protocols import missing_methods, optional_method
from plugstack.provider_context import ProviderContext
from plugstack.provider_spec import ProviderSpec, import_object
from plugstack.run_config import ProviderConfig, RunConfig, format_validation_error
from plugstack.unavailable import unavailable_provider

__all__ = [
    "PlannedProvider",
    "ProviderInstance",
    "enabled_standalone_apis",
    "maybe_await",
    "plan_providers",
    "start_in_order",
]

log = logging.getLogger("plugstack.resolver")


@dataclass
class PlannedProvider:
    """A provider the run config enables, with its validated config, not yet started."""

    api: str
    provider_id: str
    spec: ProviderSpec
    config: BaseModel
    plugin: str


@dataclass
class ProviderInstance:
    """A started provider; ``unavailable`` says why it cannot serve (its SDK is missing), if it cannot."""

    api: str
    provider_id: str
    spec: ProviderSpec
    config: BaseModel
    impl: Any
    unavailable: str | None = None


async def maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


def plan_providers(config: RunConfig, host: PluginHost) -> list[PlannedProvider]:
    """Validate every enabled provider entry; skip those whose required values are empty."""
    planned: list[PlannedProvider] = []
    seen: set[str] = set()
    for api, entries in config.providers.items():
        _check_api_name(config, host.apis, api)
        for index, entry in enumerate(entries):
            where = f"providers.{api}[{index}]"
            if not entry.provider_id:
                log.info("%s (%s) is disabled: its provider_id is empty", where, entry.provider_type)
                continue
            if entry.provider_id in seen:
                raise ResolverError(f"{config.source}: {where}: provider_id {entry.provider_id!r} is used twice")
            seen.add(entry.provider_id)
            spec, plugin = _find_spec(config, host, api, entry, where)
            if spec.deprecation_warning:
                log.warning("%s: %s is deprecated: %s", where, spec.provider_type, spec.deprecation_warning)
            provider_config = _validate_config(config, spec, entry, where)
            if provider_config is not None:
                planned.append(PlannedProvider(api, entry.provider_id, spec, provider_config, plugin))
    return planned


def _check_api_name(config: RunConfig, apis: ApiRegistry, api: str) -> None:
    definition = apis.get(api)
    if definition is None:
        known = ", ".join(d.name for d in apis.routed())
        raise ResolverError(f"{config.source}: providers.{api}: unknown API {api!r}; APIs with providers: {known}")
    if not definition.registration_hook:
        hint = f"; list {definition.table_of} providers instead" if definition.table_of else ""
        raise ResolverError(f"{config.source}: providers.{api}: the {api} API takes no providers{hint}")


def _find_spec(
    config: RunConfig, host: PluginHost, api: str, entry: ProviderConfig, where: str
) -> tuple[ProviderSpec, str]:
    """The spec of ``entry``'s provider type and the plugin that offers it."""
    found = host.providers().get(api, {}).get(entry.provider_type)
    if found is not None:
        return found
    broken = [f for f in host.failures if entry.provider_type.split("::")[-1] in (f.plugin + f.package)]
    known = sorted(host.providers().get(api, {})) or ["none installed"]
    hint = f"; plugin {broken[0].plugin!r} failed to load: {broken[0].error}" if broken else ""
    raise ResolverError(
        f"{config.source}: {where}.provider_type: unknown {api} provider {entry.provider_type!r} "
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


def enabled_standalone_apis(config: RunConfig, apis: ApiRegistry, planned: list[PlannedProvider]) -> list[str]:
    """The standalone APIs (no providers, a router only) that the run config enables.

    Those its ``apis`` lists; with no ``apis``, each whose every needed API is enabled
    (by providers, or as another standalone API).
    """
    standalone = [d for d in apis if d.standalone]
    if config.apis:
        return [d.name for d in standalone if d.name in config.apis]
    enabled = {p.api for p in planned}
    chosen: list[str] = []
    while True:
        ready = [
            d.name
            for d in standalone
            if d.name not in chosen and all(apis.router_api(n) in enabled for n in d.needs if n in apis)
        ]
        if not ready:
            return chosen
        chosen += ready
        enabled.update(ready)


async def start_in_order(
    planned: list[PlannedProvider],
    apis: ApiRegistry,
    build_router: Callable[[str, dict[str, Any]], Any],
    started: list[ProviderInstance],
    standalone: list[str] | None = None,
) -> dict[str, Any]:
    """Start providers and routers in dependency order; return the routers by API name.

    ``build_router(api, {provider_id: impl})`` makes (and may await) the routers for an
    API: a mapping of the API (and of its routing-table API, if any) to router objects.
    ``standalone`` names the enabled APIs whose routers have no providers. Each started
    provider is appended to ``started`` as it starts, so that the caller can shut down
    what did start if a later one fails.
    """
    by_api: dict[str, list[PlannedProvider]] = {api: [] for api in standalone or []}
    for p in planned:
        by_api.setdefault(p.api, []).append(p)

    graph: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for api, providers in by_api.items():
        definition = apis[api]
        wanted = [(n, True) for n in definition.needs] + [(n, False) for n in definition.optional_needs]
        who = f"the {api} API" + (f" (providers: {', '.join(p.provider_id for p in providers)})" if providers else "")
        graph[("router", api)] = {("provider", p.provider_id) for p in providers} | _router_edges(
            apis, by_api, wanted, who
        )
    for p in planned:
        who = f"provider {p.provider_id!r} ({p.spec.provider_type})"
        graph[("provider", p.provider_id)] = _router_edges(apis, by_api, _dependencies(p.spec), who)

    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        cycle = " -> ".join(f"{kind} {name}" for kind, name in exc.args[1])
        raise ResolverError(f"providers depend on each other in a cycle: {cycle}") from None

    planned_by_id = {p.provider_id: p for p in planned}
    routers: dict[str, Any] = {}
    for kind, name in order:
        if kind == "router":
            impls_by_id = {i.provider_id: i.impl for i in started if i.api == name}
            impls = {p.provider_id: impls_by_id[p.provider_id] for p in by_api[name]}  # run config order
            routers.update(await maybe_await(build_router(name, impls)))
            continue
        p = planned_by_id[name]
        deps = {dep_api: routers[dep_api] for dep_api, _ in _dependencies(p.spec) if dep_api in routers}
        context = ProviderContext(
            api=p.api, provider_id=p.provider_id, provider_type=p.spec.provider_type, routers=deps
        )
        started.append(await _instantiate(p, apis, context))
    return routers


def _router_edges(
    apis: ApiRegistry, by_api: dict[str, list[PlannedProvider]], wanted: list[tuple[str, bool]], who: str
) -> set[tuple[str, str]]:
    """The router nodes ``who`` depends on, for ``(api, required)`` pairs; a missing required one is refused."""
    edges = set()
    for api, required in wanted:
        target = apis.router_api(api) if api in apis else api  # a routing table's router is its API's
        if target in by_api:
            edges.add(("router", target))
        elif required:
            raise ResolverError(f"{who} needs the {api} API, but the run config enables no {target} provider")
    return edges


def _dependencies(spec: ProviderSpec) -> list[tuple[str, bool]]:
    return [(a, True) for a in spec.api_dependencies] + [(a, False) for a in spec.optional_api_dependencies]


def _missing_sdk(spec: ProviderSpec) -> str | None:
    """What to install when a module of ``spec.sdk_modules`` cannot be found, else ``None``."""
    missing = [(module, pip) for module, pip in spec.sdk_modules.items() if not _importable(module)]
    if not missing:
        return None
    modules = ", ".join(module for module, _ in missing)
    return f"{modules} is not installed: pip install {' '.join(dict.fromkeys(pip for _, pip in missing))}"


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a parent package that fails to import, or a bad name
        return False


async def _instantiate(p: PlannedProvider, apis: ApiRegistry, context: ProviderContext) -> ProviderInstance:
    definition = apis[p.api]
    protocol = import_object(definition.protocol) if definition.protocol else None
    reason = _missing_sdk(p.spec)
    if reason is not None:
        log.error("provider %s (%s) is unavailable: %s", p.provider_id, p.spec.provider_type, reason)
        impl = unavailable_provider(p.provider_id, p.spec.provider_type, reason, protocol)
        return ProviderInstance(p.api, p.provider_id, p.spec, p.config, impl, unavailable=reason)
    try:
        factory = p.spec.load_adapter_factory()
    except Exception as exc:
        raise ResolverError(
            f"provider {p.provider_id!r} ({p.spec.provider_type}): cannot import {p.spec.adapter_factory}: "
            f"{type(exc).__name__}: {exc}"
            + (f" (install: {' '.join(p.spec.pip_packages)})" if p.spec.pip_packages else "")
        ) from None
    impl = await maybe_await(factory(p.config, context))
    if protocol is not None:
        missing = missing_methods(impl, protocol, definition.optional_methods)
        if missing:
            raise ResolverError(
                f"provider {p.provider_id!r} ({p.spec.provider_type}, plugin {p.plugin!r}) does not implement "
                f"the {p.api} API: {type(impl).__name__} lacks {', '.join(missing)}"
            )
    initialize = optional_method(impl, "initialize")
    if initialize is not None:
        await maybe_await(initialize())
    log.info("started provider %s (%s) for %s", p.provider_id, p.spec.provider_type, p.api)
    return ProviderInstance(p.api, p.provider_id, p.spec, p.config, impl)
