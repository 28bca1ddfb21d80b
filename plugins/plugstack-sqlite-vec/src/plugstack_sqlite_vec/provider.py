"""The ``inline::sqlite-vec`` provider: chunks, vectors and a full-text index in one SQLite file.

- vector search is exact: ``vec_distance_cosine`` of sqlite-vec over the store's chunks,
  with the attribute filter applied in the same query (no approximate index, so a filter
  never costs recall); score = cosine similarity;
- keyword search is FTS5 with BM25 (porter stemming); score = ``-bm25``, higher is better;
- hybrid search fuses both rankings with reciprocal rank fusion; score = the fused score.

SQLite allows one writer, and a connection must not be used by two threads at once: every
statement runs in a worker thread under one lock. The lock is a thread lock, not an asyncio
one, so that a cancelled caller cannot release it while its statement still runs.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import sqlite_vec

from plugstack.apis.vector_io import Chunk, ScoredChunk, SearchMode, VectorStore
from plugstack.errors import BadRequestError, NotFoundError
from plugstack.provider_context import ProviderContext
from plugstack.retrieval.filters import parse_filter
from plugstack.retrieval.fusion import reciprocal_rank_fusion
from plugstack_sqlite_vec.config import SqliteVecConfig
from plugstack_sqlite_vec.filter_sql import filter_sql

__all__ = ["SqliteVecProvider", "create_provider"]

T = TypeVar("T")
_WORD = re.compile(r"\w+")
_HYBRID_CANDIDATES = 50  # results of each mode that hybrid search fuses, at least

_SCHEMA = """
CREATE TABLE IF NOT EXISTS stores (id TEXT PRIMARY KEY, dimension INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY,
    store_id TEXT NOT NULL,
    chunk_id TEXT NOT NULL,
    file_id TEXT,
    content TEXT NOT NULL,
    attributes TEXT NOT NULL,
    embedding BLOB NOT NULL,
    UNIQUE (store_id, chunk_id)
);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    content, content='chunks', content_rowid='rowid', tokenize='porter unicode61'
);
CREATE TRIGGER IF NOT EXISTS chunks_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts(rowid, content) VALUES (new.rowid, new.content);
END;
CREATE TRIGGER IF NOT EXISTS chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, content) VALUES ('delete', old.rowid, old.content);
END;
"""


def create_provider(config: SqliteVecConfig, context: ProviderContext) -> SqliteVecProvider:
    return SqliteVecProvider(config, provider_id=context.provider_id)


def _sqlite_module() -> Any:
    """The stdlib ``sqlite3`` if it can load extensions, else ``pysqlite3`` (which can)."""
    import sqlite3

    if hasattr(sqlite3.Connection, "enable_load_extension"):
        return sqlite3
    import pysqlite3.dbapi2  # type: ignore[import-not-found]

    return pysqlite3.dbapi2


class SqliteVecProvider:
    """``provider_id`` is the provider's id in the run config; its errors name it."""

    search_modes: frozenset[SearchMode] = frozenset({"vector", "keyword", "hybrid"})

    def __init__(self, config: SqliteVecConfig, *, provider_id: str = "sqlite-vec") -> None:
        self.config = config
        self.provider_id = provider_id
        self.default_embedding_model = config.embedding_model
        self.path = Path(config.db_path).expanduser()
        self._conn: Any = None
        self._lock = threading.Lock()

    async def initialize(self) -> None:
        await asyncio.to_thread(self._open)

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = _sqlite_module().connect(str(self.path), check_same_thread=False, isolation_level=None)
        conn.enable_load_extension(True)
        sqlite_vec.load(conn)
        conn.enable_load_extension(False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.executescript(_SCHEMA)
        self._conn = conn

    async def shutdown(self) -> None:
        if self._conn is not None:
            await self._run(self._conn.close)
            self._conn = None

    async def health(self) -> dict[str, Any]:
        version = await self._run(lambda: self._conn.execute("SELECT vec_version()").fetchone()[0])
        return {"status": "OK", "sqlite_vec": version}

    # -- stores ---------------------------------------------------------------------------------

    async def register_vector_store(self, store: VectorStore) -> None:
        if not store.embedding_dimension:
            raise BadRequestError(f"vector store {store.id!r} has no embedding dimension")
        dimension = store.embedding_dimension

        def register() -> None:
            row = self._conn.execute("SELECT dimension FROM stores WHERE id = ?", (store.id,)).fetchone()
            if row is None:
                self._conn.execute("INSERT INTO stores (id, dimension) VALUES (?, ?)", (store.id, dimension))
            elif row[0] != dimension:
                raise BadRequestError(f"vector store {store.id!r} holds {row[0]}-dimensional vectors, not {dimension}")

        await self._run(register)

    async def unregister_vector_store(self, store_id: str) -> None:
        def unregister() -> None:
            with self._transaction():
                self._conn.execute("DELETE FROM chunks WHERE store_id = ?", (store_id,))
                self._conn.execute("DELETE FROM stores WHERE id = ?", (store_id,))

        await self._run(unregister)

    # -- chunks ---------------------------------------------------------------------------------

    async def insert_chunks(self, store_id: str, chunks: list[Chunk]) -> None:
        """Insert ``chunks``; a chunk whose id the store already has replaces it."""
        for chunk in chunks:
            if chunk.embedding is None:
                raise BadRequestError(f"chunk {chunk.id!r} has no embedding; inline::sqlite-vec stores given vectors")
        rows = [
            (
                store_id,
                chunk.id,
                chunk.file_id,
                chunk.content,
                json.dumps(chunk.attributes),
                sqlite_vec.serialize_float32(chunk.embedding or []),
            )
            for chunk in chunks
        ]

        def insert() -> None:
            dimension = self._dimension(store_id)
            for chunk in chunks:
                if len(chunk.embedding or []) != dimension:
                    raise BadRequestError(
                        f"chunk {chunk.id!r} has {len(chunk.embedding or [])} dimensions; store {store_id!r} holds {dimension}"
                    )
            with self._transaction():
                self._conn.executemany(
                    "DELETE FROM chunks WHERE store_id = ? AND chunk_id = ?", [(store_id, c.id) for c in chunks]
                )
                self._conn.executemany(
                    "INSERT INTO chunks (store_id, chunk_id, file_id, content, attributes, embedding) VALUES (?, ?, ?, ?, ?, ?)",
                    rows,
                )

        await self._run(insert)

    async def delete_chunks(self, store_id: str, chunk_ids: list[str]) -> None:
        def delete() -> None:
            with self._transaction():
                self._conn.executemany(
                    "DELETE FROM chunks WHERE store_id = ? AND chunk_id = ?", [(store_id, i) for i in chunk_ids]
                )

        await self._run(delete)

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
        where, params = filter_sql(parse_filter(filters)) if filters else ("1", [])
        if mode == "vector":
            return await self._run(
                lambda: self._vector(store_id, _vector_of(query_embedding), max_results, where, params)
            )
        if mode == "keyword":
            return await self._run(lambda: self._keyword(store_id, query, max_results, where, params))
        if mode == "hybrid":
            candidates = max(_HYBRID_CANDIDATES, max_results)
            embedding = _vector_of(query_embedding)
            by_vector = await self._run(lambda: self._vector(store_id, embedding, candidates, where, params))
            by_keyword = await self._run(lambda: self._keyword(store_id, query, candidates, where, params))
            chunks = {item.chunk.id: item.chunk for item in [*by_vector, *by_keyword]}
            fused = reciprocal_rank_fusion([[i.chunk.id for i in by_vector], [i.chunk.id for i in by_keyword]])
            return [ScoredChunk(chunk=chunks[chunk_id], score=score) for chunk_id, score in fused[:max_results]]
        raise BadRequestError(f"unknown search mode {mode!r}; expected vector, keyword or hybrid", param="search_mode")

    def _vector(
        self, store_id: str, embedding: list[float], k: int, where: str, params: list[Any]
    ) -> list[ScoredChunk]:
        dimension = self._dimension(store_id)
        if len(embedding) != dimension:
            raise BadRequestError(f"query has {len(embedding)} dimensions; store {store_id!r} holds {dimension}")
        rows = self._conn.execute(
            "SELECT chunk_id, file_id, content, attributes, vec_distance_cosine(embedding, ?) AS distance "
            f"FROM chunks WHERE store_id = ? AND ({where}) ORDER BY distance LIMIT ?",
            [sqlite_vec.serialize_float32(embedding), store_id, *params, k],
        ).fetchall()
        return [_scored(row, 1.0 - row[4]) for row in rows]

    def _keyword(self, store_id: str, query: str, k: int, where: str, params: list[Any]) -> list[ScoredChunk]:
        self._dimension(store_id)  # 404 for an unknown store
        words = _WORD.findall(query)
        if not words:
            return []
        match = " OR ".join(f'"{word}"' for word in words)
        rows = self._conn.execute(
            "SELECT c.chunk_id, c.file_id, c.content, c.attributes, bm25(chunks_fts) AS rank "
            # CROSS JOIN makes SQLite run the full-text query once and look chunks up by rowid;
            # with a plain JOIN it may scan the store's chunks and evaluate MATCH for each one
            "FROM chunks_fts CROSS JOIN chunks AS c ON c.rowid = chunks_fts.rowid "
            f"WHERE chunks_fts MATCH ? AND c.store_id = ? AND ({where}) ORDER BY rank LIMIT ?",
            [match, store_id, *params, k],
        ).fetchall()
        return [_scored(row, -row[4]) for row in rows]

    # -- plumbing -------------------------------------------------------------------------------

    def _dimension(self, store_id: str) -> int:
        row = self._conn.execute("SELECT dimension FROM stores WHERE id = ?", (store_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"vector store {store_id!r} not found in {self.path}", param="vector_store_id")
        return int(row[0])

    def _transaction(self) -> Any:
        return _Transaction(self._conn)

    async def _run(self, work: Callable[[], T]) -> T:
        if self._conn is None:
            raise RuntimeError(
                f"provider {self.provider_id!r} (inline::sqlite-vec) used before initialize() or after shutdown()"
            )

        def locked() -> T:
            with self._lock:
                return work()

        return await asyncio.to_thread(locked)


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on error) on an autocommit connection."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")


def _vector_of(embedding: list[float] | None) -> list[float]:
    if embedding is None:
        raise BadRequestError("vector search needs a query embedding")
    return embedding


def _scored(row: tuple[Any, ...], score: float) -> ScoredChunk:
    chunk_id, file_id, content, attributes, _ = row
    return ScoredChunk(
        chunk=Chunk(id=chunk_id, file_id=file_id, content=content, attributes=json.loads(attributes)), score=score
    )
