"""Vector IO and vector stores: index chunks and search them (OpenAI ``/v1/vector_stores``).

Shape only so far. ``VectorIO`` is what a vector backend implements (auto-routed by
vector store id); ``VectorStore`` is the resource the ``vector_stores`` routing table keeps.
"""

from __future__ import annotations

import time
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Chunk", "ScoredChunk", "SearchMode", "VectorIO", "VectorStore"]

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


class VectorIO(Protocol):
    async def register_vector_store(self, store: VectorStore) -> None: ...
    async def unregister_vector_store(self, store_id: str) -> None: ...
    async def insert_chunks(self, store_id: str, chunks: list[Chunk]) -> None: ...
    async def delete_chunks(self, store_id: str, chunk_ids: list[str]) -> None: ...
    async def query_chunks(
        self,
        store_id: str,
        query: str,
        query_embedding: list[float] | None,
        *,
        mode: SearchMode = "vector",
        max_results: int = 10,
        filters: dict[str, Any] | None = None,
    ) -> list[ScoredChunk]: ...
