"""Models: the routing table that maps a model id to the inference provider serving it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plugstack.apis.definition import ApiDefinition, lazy_reexport

if TYPE_CHECKING:
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

__getattr__ = lazy_reexport(__name__, "types")
