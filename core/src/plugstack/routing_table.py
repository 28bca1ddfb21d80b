"""``RoutingTable``: resources that providers list, the run config declares and users register.

Shields and tool groups (and, as they come, datasets, scoring functions, benchmarks) are
such resources. At start-up a table merges three sources, in this order: what each
provider lists through its optional ``list_<kind>s()`` method, the run config's
``registered_resources.<kind>s``, and what was registered through the API before a
restart (the kvstore). A provider's optional ``register_<kind>(resource)`` checks a
resource before it is kept, and ``unregister_<kind>(resource)`` releases it.

Only resources registered through the run config or the API can be unregistered: those a
provider lists come back at every start.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from plugstack.errors import BadRequestError, ConfigError, ConflictError, PlugstackError
from plugstack.protocols import optional_method
from plugstack.resource_table import ResourceT, ResourceTable
from plugstack.validation import bad_request_from

__all__ = ["RoutingTable"]

log = logging.getLogger("plugstack.routing")

RequestT = TypeVar("RequestT", bound=BaseModel)


class RoutingTable(Generic[ResourceT, RequestT]):
    """One kind of resource (``kind`` as in messages: "shield", "tool group") over its providers.

    ``to_resource(request, provider_id)`` makes the resource a registration request
    describes, once the provider it names is known; ``method_suffix`` names the
    providers' optional methods (``"shield"``: ``list_shields``, ``register_shield``,
    ``unregister_shield``).
    """

    def __init__(
        self,
        table: ResourceTable[ResourceT],
        request_class: type[RequestT],
        to_resource: Callable[[RequestT, str], ResourceT],
        *,
        method_suffix: str,
        config_key: str,
    ) -> None:
        self.table = table
        self.request_class = request_class
        self.to_resource = to_resource
        self.method_suffix = method_suffix
        self.config_key = config_key
        self._registered: set[str] = set()

    @property
    def providers(self) -> dict[str, Any]:
        return self.table.providers

    async def initialize(self, configured: Sequence[Mapping[str, Any]]) -> None:
        for provider_id, provider in self.providers.items():
            list_resources = optional_method(provider, f"list_{self.method_suffix}s")
            if list_resources is None:
                continue
            try:
                listed = await list_resources()
            except Exception as exc:  # one unreachable upstream must not stop the stack
                log.warning("provider %r could not list its %ss: %s", provider_id, self.table.kind, exc)
                continue
            for resource in listed:
                self._refuse_duplicate(resource.id, f"provider {provider_id!r} lists")
                self.table.add(resource.model_copy(update={"provider_id": provider_id}))
        for i, raw in enumerate(configured):
            where = f"registered_resources.{self.config_key}[{i}]"
            try:
                request = self.request_class.model_validate(raw)
            except ValidationError as exc:
                raise BadRequestError(f"{where}: {bad_request_from(exc).message}") from None
            resource = await self._checked(request)
            self._refuse_duplicate(resource.id, f"{where} declares")
            self.table.add(resource)
            self._registered.add(resource.id)
        for resource in await self.table.load():
            self._registered.add(resource.id)

    def _refuse_duplicate(self, resource_id: str, source: str) -> None:
        """Two sources of one id would route it to whichever came last: refuse to start instead."""
        existing = self.table.find(resource_id)
        if existing is not None:
            raise ConfigError(
                f"{source} {self.table.kind} {resource_id!r}, which provider {existing.provider_id!r} serves "
                "already; give one of them another id"
            )

    def get(self, resource_id: str) -> ResourceT:
        return self.table.get(resource_id)

    def list(self) -> list[ResourceT]:
        return self.table.list()

    def provider(self, resource: ResourceT) -> Any:
        return self.table.provider(resource)

    async def register(self, request: RequestT) -> ResourceT:
        """Check the resource with its provider, then persist it; a 409 if its id is taken."""
        resource = await self._checked(request)
        registered = await self.table.register(resource)
        self._registered.add(registered.id)
        return registered

    def add_for_this_run(self, resource: ResourceT) -> ResourceT:
        """Serve ``resource`` until the stack stops, without persisting it; a 409 if its id is taken.

        For resources that cannot be stored, such as a group of in-process Python callables.
        It can be unregistered like a registered one.
        """
        if self.table.find(resource.id) is not None:
            raise ConflictError(f"{self.table.kind} {resource.id!r} already exists", param=self.table.id_param)
        self.table.add(resource)
        self._registered.add(resource.id)
        return resource

    async def unregister(self, resource_id: str) -> ResourceT:
        resource = self.table.get(resource_id)
        if resource.id not in self._registered:
            raise BadRequestError(
                f"{self.table.kind} {resource.id!r} is listed by provider {resource.provider_id!r}, not registered; "
                "remove it from that provider's config instead",
                param=self.table.id_param,
            )
        release = optional_method(self.table.provider(resource), f"unregister_{self.method_suffix}")
        if release is not None:
            try:
                await release(resource)
            except PlugstackError as exc:
                log.warning(
                    "provider %r failed to release %s %r: %s", resource.provider_id, self.table.kind, resource.id, exc
                )
        self._registered.discard(resource.id)
        return await self.table.unregister(resource.id)

    async def _checked(self, request: RequestT) -> ResourceT:
        provider_id = self.table.provider_id_for(request.provider_id)  # type: ignore[attr-defined]
        resource = self.to_resource(request, provider_id)
        check = optional_method(self.table.provider(resource), f"register_{self.method_suffix}")
        if check is not None:
            await check(resource)
        return resource
