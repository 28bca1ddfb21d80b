"""The models routing table: which provider serves each model id.

Models come from three places, merged at start-up: what each inference provider lists,
``registered_resources.models`` in the run config, and models registered at run time
through the API (persisted in the kvstore, so a restart keeps them). A model id that two
providers serve is listed as ``provider_id/model`` for the second; ``provider_id/model``
always resolves, whichever provider listed it first.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from plugstack.apis.models import Model, ModelList, RegisterModelRequest
from plugstack.errors import BadRequestError, ConflictError, NotFoundError
from plugstack.storage import KVStore

__all__ = ["ModelsRoutingTable"]

log = logging.getLogger("plugstack.routing")
_KEY_PREFIX = "models/"


class ModelsRoutingTable:
    """Implements :class:`plugstack.apis.models.Models` over the inference providers."""

    def __init__(self, providers: Mapping[str, Any], kvstore: KVStore) -> None:
        self.providers = dict(providers)  # provider_id -> inference provider object
        self.kvstore = kvstore
        self._models: dict[str, Model] = {}
        self._registered: set[str] = set()  # ids registered through the API or run config

    async def initialize(self, configured: list[dict[str, Any]]) -> None:
        for provider_id, provider in self.providers.items():
            try:
                listed = await provider.list_models()
            except Exception as exc:  # one unreachable upstream must not stop the stack
                log.warning("provider %r could not list its models: %s", provider_id, exc)
                continue
            for model in listed:
                self._add_listed(provider_id, Model.model_validate(model))
        for i, raw in enumerate(configured):
            try:
                request = RegisterModelRequest.model_validate(raw)
            except ValidationError as exc:
                raise BadRequestError(f"registered_resources.models[{i}]: {exc.errors()[0]['msg']}") from None
            self._register(request)
        for _key, value in await self.kvstore.items(_KEY_PREFIX):
            model = Model.model_validate_json(value)
            if model.provider_id in self.providers:
                self._models[model.id] = model
                self._registered.add(model.id)
            else:
                log.warning("registered model %r skipped: provider %r is not configured", model.id, model.provider_id)

    def resolve(self, model_id: str) -> Model:
        """The model for ``model_id``; :class:`NotFoundError` naming the known ids if none."""
        model = self._models.get(model_id)
        if model is not None:
            return model
        provider_id, _, provider_model = model_id.partition("/")
        if provider_model:
            for candidate in self._models.values():
                if candidate.provider_id == provider_id and candidate.provider_resource_id == provider_model:
                    return candidate
        known = ", ".join(sorted(self._models)) or "none"
        raise NotFoundError(
            f"model {model_id!r} not found; available models: {known}", param="model", code="model_not_found"
        )

    async def list_models(self) -> ModelList:
        return ModelList(data=list(self._models.values()))

    async def get_model(self, model_id: str) -> Model:
        return self.resolve(model_id)

    async def register_model(self, request: RegisterModelRequest) -> Model:
        if request.model_id in self._models:
            raise ConflictError(f"model {request.model_id!r} already exists", param="model_id")
        model = self._register(request)
        await self.kvstore.set(_KEY_PREFIX + model.id, model.model_dump_json())
        return model

    async def unregister_model(self, model_id: str) -> None:
        model = self.resolve(model_id)
        if model.id not in self._registered:
            raise BadRequestError(
                f"model {model.id!r} is listed by provider {model.provider_id!r}, not registered; "
                "remove it from that provider's config instead",
                param="model_id",
            )
        del self._models[model.id]
        self._registered.discard(model.id)
        await self.kvstore.delete(_KEY_PREFIX + model.id)

    def _register(self, request: RegisterModelRequest) -> Model:
        provider_id = request.provider_id
        if provider_id is None:
            if len(self.providers) != 1:
                raise BadRequestError(
                    f"provider_id is required: inference providers are {sorted(self.providers)}", param="provider_id"
                )
            provider_id = next(iter(self.providers))
        if provider_id not in self.providers:
            raise NotFoundError(
                f"provider {provider_id!r} not found; inference providers: {sorted(self.providers)}",
                param="provider_id",
            )
        model = Model(
            id=request.model_id,
            owned_by=provider_id,
            provider_id=provider_id,
            provider_resource_id=request.provider_model_id or request.model_id,
            model_type=request.model_type,
            metadata=request.metadata,
        )
        self._models[model.id] = model
        self._registered.add(model.id)
        return model

    def _add_listed(self, provider_id: str, model: Model) -> None:
        provider_resource_id = model.provider_resource_id or model.id
        model_id = model.id
        if model_id in self._models:
            model_id = f"{provider_id}/{provider_resource_id}"
        self._models[model_id] = model.model_copy(
            update={"id": model_id, "provider_id": provider_id, "provider_resource_id": provider_resource_id}
        )
