"""``ResourceTable``: resources of one kind, each owned by one provider, kept in the kvstore.

Models, vector stores (and, as they come, shields, tool groups, prompts, datasets,
scoring functions and benchmarks) are resources: an ``id`` the user names, the
``provider_id`` of the provider that serves it and that provider's own
``provider_resource_id``. A table registers, lists, gets and unregisters them and
resolves an id to its provider; registered resources are written to the kvstore before
the call returns, and :meth:`ResourceTable.load` reads them back after a restart.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Generic, Protocol, Self, TypeVar

from plugstack.errors import BadRequestError, ConflictError, NotFoundError
from plugstack.storage import KVStore

__all__ = ["Resource", "ResourceTable"]

log = logging.getLogger("plugstack.routing")


class Resource(Protocol):
    """What every resource is: a pydantic model with the fields a table routes by."""

    id: str
    provider_id: str
    provider_resource_id: str

    def model_dump_json(self) -> str: ...

    @classmethod
    def model_validate_json(cls, json_data: str) -> Self: ...


ResourceT = TypeVar("ResourceT", bound=Resource)


class ResourceTable(Generic[ResourceT]):
    """Resources by id, in the order they were added; ``kind`` names them in messages ("vector store")."""

    def __init__(
        self,
        kind: str,
        resource_class: type[ResourceT],
        providers: Mapping[str, Any],
        kvstore: KVStore,
        *,
        key_prefix: str,
        id_param: str,
    ) -> None:
        self.kind = kind
        self.resource_class = resource_class
        self.providers = dict(providers)  # provider_id -> provider object
        self.kvstore = kvstore
        self.key_prefix = key_prefix
        self.id_param = id_param
        self._resources: dict[str, ResourceT] = {}

    async def load(self) -> list[ResourceT]:
        """Read the persisted resources back; those of a provider no longer configured are skipped."""
        loaded = []
        for _key, value in await self.kvstore.items(self.key_prefix):
            resource = self.resource_class.model_validate_json(value)
            if resource.provider_id not in self.providers:
                log.warning(
                    "%s %r skipped: provider %r is not configured", self.kind, resource.id, resource.provider_id
                )
                continue
            self._resources[resource.id] = resource
            loaded.append(resource)
        return loaded

    def provider_id_for(self, requested: str | None) -> str:
        """``requested`` if it names a provider; the only provider when it is ``None``."""
        if requested is None:
            if len(self.providers) != 1:
                raise BadRequestError(
                    f"provider_id is required: the providers are {sorted(self.providers)}", param="provider_id"
                )
            return next(iter(self.providers))
        if requested not in self.providers:
            raise NotFoundError(
                f"provider {requested!r} not found; providers: {sorted(self.providers)}", param="provider_id"
            )
        return requested

    def find(self, resource_id: str) -> ResourceT | None:
        return self._resources.get(resource_id)

    def get(self, resource_id: str) -> ResourceT:
        """The resource; a 404 naming it if there is none."""
        resource = self._resources.get(resource_id)
        if resource is None:
            raise NotFoundError(f"{self.kind} {resource_id!r} not found", param=self.id_param)
        return resource

    def list(self) -> list[ResourceT]:
        return list(self._resources.values())

    def provider(self, resource: ResourceT) -> Any:
        """The provider object that serves ``resource``."""
        return self.providers[resource.provider_id]

    def add(self, resource: ResourceT) -> ResourceT:
        """Keep ``resource`` for this run only (a provider listed it, or the run config declares it)."""
        self._resources[resource.id] = resource
        return resource

    async def register(self, resource: ResourceT) -> ResourceT:
        """Add and persist a new resource; a 409 if its id is taken."""
        if resource.id in self._resources:
            raise ConflictError(f"{self.kind} {resource.id!r} already exists", param=self.id_param)
        return await self.save(resource)

    async def save(self, resource: ResourceT) -> ResourceT:
        """Persist ``resource``, adding it or replacing the one of its id."""
        await self.kvstore.set(self.key_prefix + resource.id, resource.model_dump_json())
        self._resources[resource.id] = resource
        return resource

    async def unregister(self, resource_id: str) -> ResourceT:
        """Forget the resource, here and in the kvstore; a 404 if there is none."""
        resource = self.get(resource_id)
        del self._resources[resource_id]
        await self.kvstore.delete(self.key_prefix + resource_id)
        return resource
