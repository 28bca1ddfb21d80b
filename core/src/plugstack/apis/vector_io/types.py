"""Vector IO's types: the chunks a backend stores and searches, and the store they belong to.

``VectorStore`` is the resource the vector stores router keeps (one provider owns each);
what clients send and receive is in :mod:`plugstack.apis.vector_stores`.
"""

from __future__ import annotations

import time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Chunk", "ScoredChunk", "SearchMode", "VectorStore"]

SearchMode = Literal["vector", "keyword", "hybrid"]


class VectorStore(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    object: Literal["vector_store"] = "vector_store"
    created_at: int = Field(default_factory=lambda: int(time.time()))
    name: str | None = None
    provider_id: str = ""
    provider_resource_id: str = ""
    embedding_model: str | None = None
    embedding_dimension: int | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class Chunk(BaseModel):
    id: str
    content: str
    embedding: list[float] | None = None
    file_id: str | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)


class ScoredChunk(BaseModel):
    chunk: Chunk
    score: float
