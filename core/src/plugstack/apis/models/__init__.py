"""Models: the routing table that maps a model id to the inference provider serving it."""

from __future__ import annotations

from plugstack.apis.definition import ApiDefinition
from plugstack.apis.models.types import (
    Model,
    ModelList,
    Models,
    RegisterModelRequest,
)

__all__ = ["API", "Model", "ModelList", "Models", "RegisterModelRequest"]

API = ApiDefinition(
    name="models",
    description="routing table of models: register, list, get, unregister",
    table_of="inference",
    routes="plugstack.apis.models.routes:routes",
    route_order=10,
)
