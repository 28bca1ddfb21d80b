"""Loading plugins: the one place that reads the ``plugstack`` entry-point group.

Each entry point names a module (or object) holding ``@plugstack.hookimpl`` functions.
A plugin that fails to import or to validate is recorded in :attr:`PluginHost.failures`
and skipped; the rest of the stack works. Two environment variables control loading:

- ``PLUGSTACK_DISABLE_PLUGIN_AUTOLOAD=1`` loads no entry points (tests register plugins
  in-process with ``host.pm.register(obj, name=...)``).
- ``PLUGSTACK_LOAD_PLUGINS=a,b`` loads only the entry points (or distributions) named.
"""

from __future__ import annotations

import importlib
import logging
import os
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from typing import Any, cast

import pluggy
from pydantic import ValidationError

from plugstack import hookspecs
from plugstack.api_call import CoreDispatch
from plugstack.apis.definition import ApiDefinition
from plugstack.apis.registry import ApiRegistry, core_api_definitions
from plugstack.provider_spec import ProviderSpec

__all__ = ["ENTRY_POINT_GROUP", "PluginFailure", "PluginHost", "PluginInfo", "get_plugin_host"]

ENTRY_POINT_GROUP = "plugstack"
log = logging.getLogger("plugstack.plugins")


@dataclass(frozen=True)
class PluginFailure:
    """A plugin that could not be loaded or registered, and why."""

    plugin: str
    package: str
    error: str


@dataclass(frozen=True)
class PluginInfo:
    """An installed, loaded plugin."""

    name: str
    package: str
    version: str
    hooks: list[str]


@dataclass
class PluginHost:
    """The plugin manager plus what loading it found: APIs, providers, plugins, failures."""

    pm: pluggy.PluginManager
    apis: ApiRegistry
    failures: list[PluginFailure] = field(default_factory=list)
    packages: dict[str, tuple[str, str]] = field(default_factory=dict)  # plugin -> (dist, version)
    _registry: dict[str, dict[str, tuple[ProviderSpec, str]]] | None = None

    def register(self, plugin: Any, name: str, package: str = "", version: str = "") -> bool:
        """Register one plugin object, with the APIs it defines; record a failure instead of raising."""
        added: list[ApiDefinition] = []
        try:
            self.pm.register(plugin, name=name)
            added = self._add_apis_of(plugin)
            self.pm.check_pending()
        except Exception as exc:  # pluggy raises PluginValidationError, others anything
            if self.pm.is_registered(plugin):
                self.pm.unregister(plugin)
            for definition in added:
                self.apis.remove(definition.name)
            self._fail(name, package, f"{type(exc).__name__}: {exc}")
            return False
        self.packages[name] = (package, version)
        self._registry = None
        return True

    def _add_apis_of(self, plugin: Any) -> list[ApiDefinition]:
        """Add the APIs ``plugin`` defines (its ``plugstack_apis``) and their registration hookspecs."""
        added: list[ApiDefinition] = []
        for impl in self.pm.hook.plugstack_apis.get_hookimpls():
            if impl.plugin is not plugin:
                continue
            returned = cast(list[object], impl.function() or [])
            for definition in returned:
                if not isinstance(definition, ApiDefinition):
                    raise TypeError(f"plugstack_apis() must return ApiDefinition objects, got {definition!r}")
                self.apis.add(definition)
                added.append(definition)
                add_registration_hookspec(self.pm, definition)
        return added

    def unregister(self, name: str) -> None:
        self.pm.unregister(name=name)
        self.packages.pop(name, None)
        self._registry = None

    def plugins(self) -> list[PluginInfo]:
        """Every loaded plugin except the core's own, with the hooks it implements."""
        infos = []
        for name, (package, version) in sorted(self.packages.items()):
            plugin = self.pm.get_plugin(name)
            callers = self.pm.get_hookcallers(plugin) or []
            infos.append(PluginInfo(name, package, version, sorted(c.name for c in callers)))
        return infos

    def providers(self) -> dict[str, dict[str, tuple[ProviderSpec, str]]]:
        """``{api: {provider_type: (spec, plugin name)}}`` from every registration hook."""
        if self._registry is None:
            self._registry = self._collect_providers()
        return self._registry

    def provider(self, api: str, provider_type: str) -> ProviderSpec | None:
        entry = self.providers().get(api, {}).get(provider_type)
        return entry[0] if entry else None

    def _collect_providers(self) -> dict[str, dict[str, tuple[ProviderSpec, str]]]:
        registry: dict[str, dict[str, tuple[ProviderSpec, str]]] = {}
        for definition in self.apis.routed():
            api, hook_name = definition.name, str(definition.registration_hook)
            by_type = registry.setdefault(api, {})
            # Call each implementation separately so one broken plugin cannot hide the others.
            for impl in reversed(getattr(self.pm.hook, hook_name).get_hookimpls()):
                package = self.packages.get(impl.plugin_name, ("", ""))[0]
                try:
                    specs = [ProviderSpec.model_validate(s) for s in impl.function() or []]
                except (Exception, ValidationError) as exc:
                    self._fail(impl.plugin_name, package, f"{hook_name}() raised {type(exc).__name__}: {exc}")
                    continue
                for spec in specs:
                    if spec.api != api:
                        self._fail(impl.plugin_name, package, self._wrong_api(hook_name, spec.api))
                    elif spec.provider_type in by_type:
                        other = by_type[spec.provider_type][1]
                        self._fail(
                            impl.plugin_name, package, f"{spec.provider_type} is already offered by plugin {other!r}"
                        )
                    else:
                        by_type[spec.provider_type] = (spec, impl.plugin_name)
        return registry

    def _wrong_api(self, hook_name: str, api: str) -> str:
        definition = self.apis.get(api)
        if definition is not None and definition.table_of:
            return (
                f"{hook_name}() returned a spec for {api!r}, a routing table built by the core; "
                f"register a {definition.table_of!r} provider instead"
            )
        return f"{hook_name}() returned a spec for api {api!r}"

    def _fail(self, plugin: str, package: str, error: str) -> None:
        failure = PluginFailure(plugin, package, error)
        if failure not in self.failures:
            self.failures.append(failure)
            log.warning("plugin %r (%s) skipped: %s", plugin, package or "in-process", error)


def new_plugin_host() -> PluginHost:
    """A host with the core's APIs and hookspecs and the core's dispatcher, and no plugins yet."""
    pm = pluggy.PluginManager(ENTRY_POINT_GROUP)
    pm.add_hookspecs(hookspecs)
    apis = ApiRegistry(core_api_definitions())
    for definition in apis:
        add_registration_hookspec(pm, definition)
    pm.register(CoreDispatch(), name="plugstack.core")
    return PluginHost(pm, apis)


def add_registration_hookspec(pm: pluggy.PluginManager, definition: ApiDefinition) -> None:
    """Add the module holding ``definition``'s registration hookspec, checking that it is there."""
    if definition.hookspecs is None:
        return
    module = importlib.import_module(definition.hookspecs)
    pm.add_hookspecs(module)
    if not hasattr(module, str(definition.registration_hook)):
        raise TypeError(f"API {definition.name!r}: {definition.hookspecs} defines no {definition.registration_hook}")


def load_entry_points(host: PluginHost) -> None:
    """Load the ``plugstack`` entry points that the environment variables allow."""
    if os.environ.get("PLUGSTACK_DISABLE_PLUGIN_AUTOLOAD", "").strip() not in ("", "0", "false"):
        return
    only = {n.strip() for n in os.environ.get("PLUGSTACK_LOAD_PLUGINS", "").split(",") if n.strip()}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        package, version = _distribution_of(ep)
        if only and ep.name not in only and package not in only:
            continue
        if host.pm.has_plugin(ep.name):
            continue  # the same distribution installed twice on sys.path
        try:
            plugin = ep.load()
        except Exception as exc:  # an import error in a plugin must not take the core down
            host._fail(ep.name, package, f"import of {ep.value!r} failed: {type(exc).__name__}: {exc}")
            continue
        host.register(plugin, name=ep.name, package=package, version=version)


def _distribution_of(ep: EntryPoint) -> tuple[str, str]:
    dist = ep.dist
    return (dist.name, dist.version) if dist is not None else ("", "")


_host: PluginHost | None = None


def get_plugin_host() -> PluginHost:
    """The process-wide plugin host, loading entry points on first use."""
    global _host
    if _host is None:
        host = new_plugin_host()
        load_entry_points(host)
        _host = host
    return _host
