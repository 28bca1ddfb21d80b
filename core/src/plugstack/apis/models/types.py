"""Models: the routing table that maps a model id to the provider serving it."""

from __future__ import annotations

import time
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Model", "ModelList", "Models", "RegisterModelRequest"]


class Model(BaseModel):
    """A model as ``GET /v1/models`` lists it (OpenAI fields first, then plugstack's)."""

    model_config = ConfigDict(extra="allow", protected_namespaces=())

    id: str
    object: Literal["model"] = "model"
    created: int = Field(default_factory=lambda: int(time.time()))
    owned_by: str = "plugstack"
    provider_id: str = ""
    provider_resource_id: str = ""
    model_type: Literal["llm", "embedding"] = "llm"
    metadata: dict[str, Any] = Field(default_factory=dict)


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[Model]


class RegisterModelRequest(BaseModel):
    """``POST /v1/models``: serve ``provider_model_id`` of ``provider_id`` as ``model_id``."""

    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    model_id: str = Field(min_length=1)
    provider_id: str | None = None
    provider_model_id: str | None = None
    model_type: Literal["llm", "embedding"] = "llm"
    metadata: dict[str, Any] = Field(default_factory=dict)


class Models(Protocol):
    async def list_models(self) -> ModelList: ...
    async def get_model(self, model_id: str) -> Model: ...
    async def register_model(self, request: RegisterModelRequest) -> Model: ...
    async def unregister_model(self, model_id: str) -> None: ...
