"""Ingestion: turning an attached file into chunks in its vector store's backend.

Attaching a file starts a task: the file's text is extracted, chunked by tokens, embedded
with the store's embedding model and inserted; the file's record (in the sqlstore) goes
from ``in_progress`` to ``completed``, or to ``failed`` with ``last_error``. Records still
``in_progress`` at start-up (a restart interrupted them) are ingested again. Chunk ids
are ``<file_id>:<n>``, so ingesting a file twice replaces its chunks instead of
duplicating them, and removing a file deletes exactly its chunks.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pluggy

from plugstack.api_call import call_api
from plugstack.apis.files.router import FilesRouter
from plugstack.apis.vector_io import Chunk, VectorStore
from plugstack.apis.vector_stores.embedding import StoreEmbedder
from plugstack.apis.vector_stores.ingestion_records import IngestionRecord, IngestionRecords
from plugstack.apis.vector_stores.types import FileError, VectorStoreFile
from plugstack.errors import NotFoundError, NotImplementedByProviderError, PlugstackError
from plugstack.resource_table import ResourceTable
from plugstack.retrieval.chunking import AutoChunkingStrategy, ChunkingStrategy, StaticChunkingStrategy, chunk_text
from plugstack.retrieval.extract import UnreadableFileError, extract_text

__all__ = ["Ingestion"]

log = logging.getLogger("plugstack.vector_stores")


class Ingestion:
    """The ingestion tasks of every vector store, at most ``max_concurrent`` running at once."""

    def __init__(
        self,
        stores: ResourceTable[VectorStore],
        records: IngestionRecords,
        embedder: StoreEmbedder,
        files: FilesRouter | None,
        pm: pluggy.PluginManager,
        *,
        max_concurrent: int = 4,
    ) -> None:
        self.stores = stores
        self.records = records
        self.embedder = embedder
        self.files = files
        self.pm = pm
        self._tasks: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._slots = asyncio.Semaphore(max_concurrent)
        self._attach_lock = asyncio.Lock()  # one check-then-insert of a file record at a time

    async def resume(self) -> None:
        """Ingest again what a restart interrupted."""
        for record in await self.records.find(status="in_progress"):
            store = self.stores.find(record.vector_store_id)
            if store is not None:
                log.info("resuming ingestion of %s into %s", record.id, store.id)
                self._start(store, record)

    async def shutdown(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def attach(
        self,
        store: VectorStore,
        file_id: str,
        attributes: dict[str, Any],
        strategy: ChunkingStrategy | None,
        *,
        batch_id: str | None,
    ) -> VectorStoreFile:
        """Record ``file_id`` as ``in_progress`` in ``store`` and start ingesting it."""
        if self.files is None:
            raise NotImplementedByProviderError("the run config enables no files provider: files cannot be attached")
        file = await self.files.retrieve_file(file_id)
        static = strategy.resolved() if isinstance(strategy, AutoChunkingStrategy) else strategy
        record = IngestionRecord(
            id=file_id,
            vector_store_id=store.id,
            attributes=attributes,
            chunking_strategy=static or StaticChunkingStrategy(),
            filename=file.filename,
            batch_id=batch_id,
        )
        async with self._attach_lock:
            existing = await self.records.get(store.id, file_id)
            if existing is not None and existing.status == "in_progress":
                return existing  # already being ingested: one task per file
            if existing is not None:
                await self.records.delete(store.id, file_id)
            await self.records.add(record)
        self._start(store, record)
        return record

    async def remove_file(self, store: VectorStore, file_id: str) -> None:
        """Stop the file's ingestion, delete its chunks and its record."""
        await self.cancel(store.id, file_id)
        record = await self.record(store.id, file_id)
        await self.delete_chunks(store, file_id, record.chunk_count)
        await self.records.delete(store.id, file_id)

    async def cancel_store(self, store_id: str) -> None:
        for key, task in list(self._tasks.items()):
            if key[0] == store_id:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)

    async def cancel_batch(self, store: VectorStore, batch_id: str) -> None:
        """Stop the batch's files still in progress; they become ``cancelled`` and keep no chunk."""
        await self.records.cancel_batch(batch_id)
        for record in await self.records.find(batch_id=batch_id, status="in_progress"):
            await self.cancel(store.id, record.id)
            await self.delete_chunks(store, record.id, record.chunk_count)
            await self.records.update(store.id, record.id, status="cancelled", chunk_count=0)

    async def cancel(self, store_id: str, file_id: str) -> None:
        task = self._tasks.get((store_id, file_id))
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def record(self, store_id: str, file_id: str) -> IngestionRecord:
        record = await self.records.get(store_id, file_id)
        if record is None:
            raise NotFoundError(f"file {file_id!r} is not in vector store {store_id!r}", param="file_id")
        return record

    async def delete_chunks(self, store: VectorStore, file_id: str, count: int) -> None:
        if count:
            ids = [f"{file_id}:{i}" for i in range(count)]
            provider = self.stores.provider(store)
            await call_api(
                self.pm, "vector_io", "delete_chunks", provider.delete_chunks, store_id=store.id, chunk_ids=ids
            )

    def _start(self, store: VectorStore, record: IngestionRecord) -> None:
        key = (store.id, record.id)
        task = asyncio.create_task(self._ingest(store, record), name=f"ingest {record.id} into {store.id}")
        self._tasks[key] = task
        task.add_done_callback(lambda done: self._tasks.pop(key, None) if self._tasks.get(key) is done else None)

    async def _ingest(self, store: VectorStore, record: IngestionRecord) -> None:
        try:
            async with self._slots:
                chunks = await self._chunks(store, record)
                # recorded before inserting: removing the file deletes every chunk it may have
                await self.records.update(store.id, record.id, chunk_count=len(chunks))
                provider = self.stores.provider(store)
                await call_api(
                    self.pm, "vector_io", "insert_chunks", provider.insert_chunks, store_id=store.id, chunks=chunks
                )
            usage = sum(len(chunk.content.encode()) for chunk in chunks)
            await self.records.update(store.id, record.id, status="completed", usage_bytes=usage)
        except UnreadableFileError as exc:
            await self._fail(store.id, record.id, FileError(code="unsupported_file", message=str(exc)))
        except PlugstackError as exc:
            await self._fail(store.id, record.id, FileError(code="server_error", message=exc.message))
        except Exception as exc:
            log.exception("ingestion of %s into %s failed", record.id, store.id)
            await self._fail(
                store.id, record.id, FileError(code="server_error", message=f"{type(exc).__name__}: {exc}")
            )

    async def _chunks(self, store: VectorStore, record: IngestionRecord) -> list[Chunk]:
        assert self.files is not None
        file = await self.files.retrieve_file(record.id)
        content = await self.files.file_content(record.id)
        text = await asyncio.to_thread(extract_text, content, file.filename)
        static = record.chunking_strategy.static
        pieces = chunk_text(text, static.max_chunk_size_tokens, static.chunk_overlap_tokens)
        if not pieces:
            raise UnreadableFileError(f"{file.filename!r} contains no text")
        vectors = await self.embedder.embed(store, pieces)
        return [
            Chunk(
                id=f"{record.id}:{i}", content=piece, embedding=vector, file_id=record.id, attributes=record.attributes
            )
            for i, (piece, vector) in enumerate(zip(pieces, vectors, strict=True))
        ]

    async def _fail(self, store_id: str, file_id: str, error: FileError) -> None:
        await self.records.update(store_id, file_id, status="failed", last_error=error.model_dump())
