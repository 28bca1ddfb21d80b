"""Vector stores: OpenAI's ``/v1/vector_stores`` (stores, their files, batches and search) over vector IO."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plugstack.apis.definition import ApiDefinition, lazy_reexport

if TYPE_CHECKING:
    from plugstack.apis.vector_stores.types import (
        CreateFileBatchRequest,
        CreateVectorStoreFileRequest,
        CreateVectorStoreRequest,
        FileCounts,
        FileError,
        ListPage,
        RankingOptions,
        RegisterVectorStoreRequest,
        SearchRequest,
        SearchResult,
        SearchResultsPage,
        UpdateVectorStoreRequest,
        VectorStoreDeleted,
        VectorStoreFile,
        VectorStoreFileBatch,
        VectorStoreFileDeleted,
        VectorStoreObject,
    )

__all__ = [
    "API",
    "CreateFileBatchRequest",
    "CreateVectorStoreFileRequest",
    "CreateVectorStoreRequest",
    "FileCounts",
    "FileError",
    "ListPage",
    "RankingOptions",
    "RegisterVectorStoreRequest",
    "SearchRequest",
    "SearchResult",
    "SearchResultsPage",
    "UpdateVectorStoreRequest",
    "VectorStoreDeleted",
    "VectorStoreFile",
    "VectorStoreFileBatch",
    "VectorStoreFileDeleted",
    "VectorStoreObject",
]

API = ApiDefinition(
    name="vector_stores",
    description="routing table of vector stores, with file ingestion and search",
    table_of="vector_io",
    routes="plugstack.apis.vector_stores.routes:routes",
)

__getattr__ = lazy_reexport(__name__, "types")
