"""Vector IO: the backends that store chunks and search them, routed by vector store id."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plugstack.apis.definition import ApiDefinition, lazy_reexport

if TYPE_CHECKING:
    from plugstack.apis.vector_io.provider import VectorIO
    from plugstack.apis.vector_io.types import (
        Chunk,
        ScoredChunk,
        SearchMode,
        VectorStore,
    )

__all__ = ["API", "Chunk", "ScoredChunk", "SearchMode", "VectorIO", "VectorStore"]

API = ApiDefinition(
    name="vector_io",
    description="vector stores: insert, delete and search chunks, routed by vector store id",
    hookspecs="plugstack.apis.vector_io.hookspec",
    registration_hook="plugstack_vector_io_providers",
    protocol="plugstack.apis.vector_io.provider:VectorIO",
    router="plugstack.apis.vector_stores.router:build_routers",
    routing_table="vector_stores",
    needs=("inference",),
    optional_needs=("files",),
    resources=("vector_stores",),
)

__getattr__ = lazy_reexport(__name__, "types", "provider")
