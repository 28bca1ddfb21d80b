"""``ApiDefinition``: what the core needs to know to serve one API, as plain data.

Each API package under :mod:`plugstack.apis` exposes one as ``API`` in its
``__init__.py``; a plugin may define further APIs through the ``plugstack_apis`` hook.
:mod:`plugstack.apis.registry` collects them, and the plugin host, the resolver, the
stack, the server, the OpenAPI document and the CLI all read that registry: no other
file lists APIs.

Like a :class:`~plugstack.provider_spec.ProviderSpec`, a definition names its code by
import path (``"package.module:name"``), so reading the registry imports no router.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pluggy

    from plugstack.storage import KVStore, SqlStore

__all__ = ["ApiDefinition", "RouterContext", "UnroutedApi", "lazy_reexport"]


@dataclass(frozen=True)
class ApiDefinition:
    """One API.

    An *auto-routed* API has providers: they register through ``registration_hook``
    (a hookspec in the module ``hookspecs``) and must implement ``protocol`` except for
    its ``optional_methods``. ``router`` names ``async build(context: RouterContext)``,
    which returns the router objects it makes, by API name: the API's own and, when it
    owns one, its ``routing_table``'s (inference builds ``models``). ``needs`` and
    ``optional_needs`` name the APIs whose routers ``build`` uses; the resolver builds
    those first. An API with no ``router`` still starts its providers, and
    ``stack.router(name)`` gives them as :class:`UnroutedApi`.

    A *routing-table* API (``table_of`` set) has no providers of its own: the router of
    the API it lists resources for builds it.

    A *standalone* API (``standalone`` set: Responses, Conversations) has a router and no
    providers: the router is the implementation, built on the routers it ``needs`` and on
    the stack's storage. It is enabled when the run config's ``apis`` lists it, or, when
    ``apis`` is empty, whenever every API it needs is enabled.

    ``routes`` names ``routes(stack) -> list[ApiRoute]``, the API's HTTP endpoints;
    ``route_order`` sorts route lists (lower first: the router tries routes in order,
    and earlier routes win on identical paths). ``resources`` are the keys of the run
    config's ``registered_resources`` that this API accepts; ``build`` receives them.
    """

    name: str
    description: str
    hookspecs: str | None = None
    registration_hook: str | None = None
    protocol: str | None = None
    optional_methods: frozenset[str] = frozenset()
    router: str | None = None
    routing_table: str | None = None
    table_of: str | None = None
    needs: tuple[str, ...] = ()
    optional_needs: tuple[str, ...] = ()
    routes: str | None = None
    route_order: int = 100
    resources: tuple[str, ...] = ()
    standalone: bool = False

    def __post_init__(self) -> None:
        if self.standalone and (self.registration_hook or not self.router):
            raise ValueError(f"API {self.name!r}: a standalone API has a router and no providers")
        if bool(self.hookspecs) != bool(self.registration_hook):
            raise ValueError(f"API {self.name!r}: hookspecs and registration_hook go together")
        if self.table_of and (self.registration_hook or self.router):
            raise ValueError(f"API {self.name!r}: a routing table has no providers and no router of its own")


@dataclass
class RouterContext:
    """What an API's router ``build`` function gets.

    ``providers`` maps each provider id of this API (in run config order) to its started
    provider object, and ``provider_types`` each to its provider type; ``routers`` holds the routers built so far, by API name, including
    every API of ``needs`` (and of ``optional_needs`` that the run config enables).
    ``resources`` holds the API's entries of ``registered_resources``, by key.
    ``on_shutdown`` registers an async callback run when the stack closes, before the
    providers shut down.
    """

    api: str
    providers: dict[str, Any]
    provider_types: Mapping[str, str]
    routers: Mapping[str, Any]
    kvstore: KVStore
    sqlstore: Callable[[], Awaitable[SqlStore]]
    pm: pluggy.PluginManager
    resources: Mapping[str, Sequence[Mapping[str, Any]]]
    on_shutdown: Callable[[Callable[[], Awaitable[None]]], None]


class UnroutedApi:
    """The providers of an API that has no router (yet): ``stack.router(api).providers``."""

    def __init__(self, api: str, providers: dict[str, Any]) -> None:
        self.api = api
        self.providers = providers


def lazy_reexport(package: str, *modules: str) -> Callable[[str], Any]:
    """A module ``__getattr__`` that serves the names in ``__all__`` of the package's ``modules``.

    An API package's ``__init__`` re-exports its types and Protocol this way, so that
    reading its ``API`` definition (every plugin host does, at start) imports no pydantic
    models until something uses them.
    """

    def __getattr__(name: str) -> Any:
        for module_name in modules:
            module = importlib.import_module(f"{package}.{module_name}")
            if name in getattr(module, "__all__", ()):
                return getattr(module, name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
