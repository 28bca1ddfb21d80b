"""The Chroma providers: one collection per vector store, vectors computed by plugstack.

Chroma is never given text to embed: collections are created without an embedding
function (Chroma's default one downloads a model on first use, which fails offline) and
every upsert and query carries plugstack's vectors. Collections use cosine space, so
score = 1 - cosine distance. Chroma's index is HNSW, approximate: the ``hnsw_*`` settings
trades speed for recall (the benchmark checks recall against exact search).

Chroma has no BM25 ranking in the open-source server, so keyword and hybrid search are
refused with :class:`NotImplementedByProviderError`. The chromadb client is synchronous:
calls run in worker threads, one at a time.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import chromadb
from chromadb.config import Settings
from chromadb.errors import ChromaError
from chromadb.errors import NotFoundError as ChromaNotFoundError

from plugstack.apis.vector_io import Chunk, ScoredChunk, SearchMode, VectorStore
from plugstack.errors import BadRequestError, NotFoundError, NotImplementedByProviderError, ProviderError
from plugstack.provider_context import ProviderContext
from plugstack.retrieval.filters import parse_filter
from plugstack_chromadb.config import ChromaInlineConfig, ChromaRemoteConfig
from plugstack_chromadb.filters import chroma_where

__all__ = ["ChromaVectorIO", "create_inline_provider", "create_remote_provider"]

T = TypeVar("T")
_FILE_ID = "plugstack_file_id"  # metadata key holding a chunk's file id
_DIMENSION = "plugstack_dimension"  # collection metadata: the store's vector size


def _settings() -> Settings:
    """No telemetry calls to the internet. A new object per client: chromadb's clients mutate it."""
    return Settings(anonymized_telemetry=False)


def create_inline_provider(config: ChromaInlineConfig, context: ProviderContext) -> ChromaVectorIO:
    path = Path(config.db_path).expanduser()
    return ChromaVectorIO(
        lambda: chromadb.PersistentClient(path=str(path), settings=_settings()),
        config,
        "inline::chromadb",
        provider_id=context.provider_id,
    )


def create_remote_provider(config: ChromaRemoteConfig, context: ProviderContext) -> ChromaVectorIO:
    def connect() -> Any:
        headers = {"x-chroma-token": config.api_key.get_secret_value()} if config.api_key else None
        return chromadb.HttpClient(
            host=config.url,
            headers=headers,
            tenant=config.tenant,
            database=config.database,
            settings=_settings(),
        )

    return ChromaVectorIO(connect, config, "remote::chromadb", provider_id=context.provider_id)


class ChromaVectorIO:
    """``name`` is the provider type (what the messages about Chroma's abilities name);
    ``provider_id`` the provider's id in the run config, which its provider errors name."""

    search_modes: frozenset[SearchMode] = frozenset({"vector"})

    def __init__(
        self,
        connect: Callable[[], Any],
        config: ChromaInlineConfig | ChromaRemoteConfig,
        name: str,
        *,
        provider_id: str,
    ) -> None:
        self._connect = connect
        self.config = config
        self.name = name
        self.provider_id = provider_id
        self.default_embedding_model = config.embedding_model
        self.client: Any = None
        self._lock = threading.Lock()

    async def initialize(self) -> None:
        self.client = await asyncio.to_thread(self._connect)

    async def health(self) -> dict[str, Any]:
        await self._run(lambda: self.client.heartbeat())
        return {"status": "OK"}

    async def register_vector_store(self, store: VectorStore) -> None:
        if not store.embedding_dimension:
            raise BadRequestError(f"vector store {store.id!r} has no embedding dimension")
        metadata = {
            "hnsw:space": "cosine",
            "hnsw:M": self.config.hnsw_m,
            "hnsw:construction_ef": self.config.hnsw_construction_ef,
            "hnsw:search_ef": self.config.hnsw_search_ef,
            _DIMENSION: store.embedding_dimension,
        }
        collection = await self._run(
            lambda: self.client.get_or_create_collection(store.id, embedding_function=None, metadata=metadata)
        )
        held = (collection.metadata or {}).get(_DIMENSION)
        if held != store.embedding_dimension:
            raise BadRequestError(
                f"vector store {store.id!r} holds {held}-dimensional vectors, not {store.embedding_dimension}"
            )

    async def unregister_vector_store(self, store_id: str) -> None:
        await self._run(lambda: self.client.delete_collection(store_id))

    async def insert_chunks(self, store_id: str, chunks: list[Chunk]) -> None:
        """Upsert ``chunks``: a chunk whose id the store already has is replaced."""
        if not chunks:
            return
        collection = await self._collection(store_id)
        dimension = collection.metadata[_DIMENSION]
        for chunk in chunks:
            if chunk.embedding is None:
                raise BadRequestError(f"chunk {chunk.id!r} has no embedding; {self.name} stores given vectors")
            if len(chunk.embedding) != dimension:
                raise BadRequestError(
                    f"chunk {chunk.id!r} has {len(chunk.embedding)} dimensions; store {store_id!r} holds {dimension}"
                )
        # Chroma rejects a batch that names one id twice: keep each id's last chunk
        unique = list({chunk.id: chunk for chunk in chunks}.values())
        await self._run(
            lambda: collection.upsert(
                ids=[c.id for c in unique],
                embeddings=[c.embedding for c in unique],
                documents=[c.content for c in unique],
                metadatas=[_metadata(c) for c in unique],
            )
        )

    async def delete_chunks(self, store_id: str, chunk_ids: list[str]) -> None:
        if chunk_ids:
            collection = await self._collection(store_id)
            await self._run(lambda: collection.delete(ids=chunk_ids))

    async def query_chunks(
        self,
        store_id: str,
        query: str,
        query_embedding: list[float] | None,
        *,
        mode: SearchMode = "vector",
        max_results: int = 10,
        filters: dict[str, Any] | None = None,
    ) -> list[ScoredChunk]:
        if mode != "vector":
            raise NotImplementedByProviderError(
                f"{self.name} supports vector search only, not {mode!r} (Chroma has no BM25 ranking)",
                param="search_mode",
            )
        if query_embedding is None:
            raise BadRequestError("vector search needs a query embedding")
        collection = await self._collection(store_id)
        dimension = collection.metadata[_DIMENSION]
        if len(query_embedding) != dimension:
            raise BadRequestError(f"query has {len(query_embedding)} dimensions; store {store_id!r} holds {dimension}")
        where = chroma_where(parse_filter(filters)) if filters else None
        result = await self._run(
            lambda: collection.query(
                query_embeddings=[query_embedding],
                n_results=max_results,
                where=where,
                include=["documents", "metadatas", "distances"],
            )
        )
        rows = zip(
            result["ids"][0], result["documents"][0], result["metadatas"][0], result["distances"][0], strict=True
        )
        return [ScoredChunk(chunk=_chunk(i, text, meta), score=1.0 - distance) for i, text, meta, distance in rows]

    async def _collection(self, store_id: str) -> Any:
        try:
            return await self._run(lambda: self.client.get_collection(store_id, embedding_function=None))
        except ChromaNotFoundError:
            raise NotFoundError(
                f"vector store {store_id!r} not found in {self.name}", param="vector_store_id"
            ) from None

    async def _run(self, work: Callable[[], T]) -> T:
        if self.client is None:
            raise RuntimeError(f"provider {self.provider_id!r} ({self.name}) used before initialize()")

        def locked() -> T:
            with self._lock:
                return work()

        try:
            return await asyncio.to_thread(locked)
        except ChromaNotFoundError:
            raise
        except ChromaError as exc:
            raise ProviderError(f"{type(exc).__name__}: {exc}", provider_id=self.provider_id) from None


def _metadata(chunk: Chunk) -> dict[str, Any]:
    return {**chunk.attributes, _FILE_ID: chunk.file_id or ""}


def _chunk(chunk_id: str, text: str, metadata: dict[str, Any] | None) -> Chunk:
    attributes = dict(metadata or {})
    file_id = attributes.pop(_FILE_ID, "") or None
    return Chunk(id=chunk_id, content=text, file_id=file_id, attributes=attributes)
