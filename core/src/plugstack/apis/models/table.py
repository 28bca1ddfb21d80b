"""The models routing table: which provider serves each model id.

Models come from three places, merged at start-up: what each inference provider lists,
``registered_resources.models`` in the run config, and models registered at run time
through the API (persisted in the kvstore, so a restart keeps them). A model id that two
providers serve is listed as ``provider_id/model`` for the second; ``provider_id/model``
always resolves, whichever provider listed it first.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from plugstack.apis.models.types import Model, ModelList, RegisterModelRequest
from plugstack.errors import BadRequestError, NotFoundError, PlugstackError
from plugstack.resource_table import ResourceTable
from plugstack.storage import KVStore

__all__ = ["ModelsRoutingTable"]

log = logging.getLogger("plugstack.routing")


class ModelsRoutingTable:
    """Implements :class:`plugstack.apis.models.Models` over the inference providers."""

    def __init__(self, providers: Mapping[str, Any], kvstore: KVStore) -> None:
        self.table = ResourceTable("model", Model, providers, kvstore, key_prefix="models/", id_param="model_id")
        self.providers = self.table.providers  # provider_id -> inference provider object
        self._registered: set[str] = set()  # ids registered through the API or run config
        self._unlisted: dict[str, str] = {}  # provider_id -> why it could not list its models

    async def initialize(self, configured: Sequence[Mapping[str, Any]]) -> None:
        for provider_id, provider in self.providers.items():
            try:
                listed = await provider.list_models()
            except Exception as exc:  # one unreachable upstream must not stop the stack
                log.warning("provider %r could not list its models: %s", provider_id, exc)
                self._unlisted[provider_id] = exc.message if isinstance(exc, PlugstackError) else type(exc).__name__
                continue
            for model in listed:
                self._add_listed(provider_id, Model.model_validate(model))
        for i, raw in enumerate(configured):
            try:
                request = RegisterModelRequest.model_validate(raw)
            except ValidationError as exc:
                raise BadRequestError(f"registered_resources.models[{i}]: {exc.errors()[0]['msg']}") from None
            self._registered.add(self.table.add(self._model(request)).id)
        for model in await self.table.load():
            self._registered.add(model.id)

    def resolve(self, model_id: str) -> Model:
        """The model for ``model_id``; :class:`NotFoundError` naming the known ids if none."""
        model = self.table.find(model_id)
        if model is not None:
            return model
        provider_id, _, provider_model = model_id.partition("/")
        if provider_model:
            for candidate in self.table.list():
                if candidate.provider_id == provider_id and candidate.provider_resource_id == provider_model:
                    return candidate
        known = ", ".join(sorted(m.id for m in self.table.list())) or "none"
        unlisted = "".join(f"; provider {p!r} could not list its models: {why}" for p, why in self._unlisted.items())
        raise NotFoundError(
            f"model {model_id!r} not found; available models: {known}{unlisted}", param="model", code="model_not_found"
        )

    async def list_models(self) -> ModelList:
        return ModelList(data=self.table.list())

    async def get_model(self, model_id: str) -> Model:
        return self.resolve(model_id)

    async def register_model(self, request: RegisterModelRequest) -> Model:
        model = await self.table.register(self._model(request))
        self._registered.add(model.id)
        return model

    async def unregister_model(self, model_id: str) -> None:
        model = self.resolve(model_id)
        if model.id not in self._registered:
            raise BadRequestError(
                f"model {model.id!r} is listed by provider {model.provider_id!r}, not registered; "
                "remove it from that provider's config instead",
                param="model_id",
            )
        await self.table.unregister(model.id)
        self._registered.discard(model.id)

    def _model(self, request: RegisterModelRequest) -> Model:
        provider_id = self.table.provider_id_for(request.provider_id)
        return Model(
            id=request.model_id,
            owned_by=provider_id,
            provider_id=provider_id,
            provider_resource_id=request.provider_model_id or request.model_id,
            model_type=request.model_type,
            metadata=request.metadata,
        )

    def _add_listed(self, provider_id: str, model: Model) -> None:
        provider_resource_id = model.provider_resource_id or model.id
        model_id = model.id
        if self.table.find(model_id) is not None:
            model_id = f"{provider_id}/{provider_resource_id}"
        self.table.add(
            model.model_copy(
                update={"id": model_id, "provider_id": provider_id, "provider_resource_id": provider_resource_id}
            )
        )
