"""What a vector store backend implements (auto-routed by vector store id)."""

from __future__ import annotations

from typing import Any, Protocol

from plugstack.apis.vector_io.types import Chunk, ScoredChunk, SearchMode, VectorStore

__all__ = ["VectorIO"]


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
