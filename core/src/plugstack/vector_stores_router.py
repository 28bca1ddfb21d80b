"""The vector stores router: what ``stack.vector_stores`` is, in library and server mode alike.

It implements OpenAI's vector stores API over the vector IO providers:

- stores are records in the kvstore (like models), each owned by one provider, which
  keeps its chunks; a restart reloads them;
- attaching a file starts an ingestion task: the file's text is extracted, chunked by
  tokens, embedded through the inference router with the store's embedding model and
  inserted; the file's record (in the sqlstore) goes from ``in_progress`` to
  ``completed`` or to ``failed`` with ``last_error``. Records still ``in_progress`` at
  start-up (a restart interrupted them) are ingested again;
- chunk ids are ``<file_id>:<n>``, so ingesting a file twice replaces its chunks instead
  of duplicating them, and removing a file deletes exactly its chunks;
- search embeds the query the same way and asks the provider for vector, keyword or
  hybrid results; backends receive vectors, never text to embed.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypeVar

import pluggy
from pydantic import BaseModel, ValidationError

from plugstack.api_call import call_api
from plugstack.apis.vector_io import Chunk, ScoredChunk, VectorStore
from plugstack.apis.vector_stores import (
    CreateFileBatchRequest,
    CreateVectorStoreFileRequest,
    CreateVectorStoreRequest,
    FileError,
    ListPage,
    RegisterVectorStoreRequest,
    SearchContent,
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
from plugstack.errors import BadRequestError, ConfigError, NotFoundError, NotImplementedByProviderError, PlugstackError
from plugstack.files_router import FilesRouter
from plugstack.inference_router import InferenceRouter, bad_request_from, validate_request
from plugstack.pagination import paginate
from plugstack.retrieval.chunking import AutoChunkingStrategy, ChunkingStrategy, StaticChunkingStrategy, chunk_text
from plugstack.retrieval.extract import UnreadableFileError, extract_text
from plugstack.retrieval.records import FileRecord, IngestionRecords, count_statuses
from plugstack.storage import KVStore, SqlStore

__all__ = ["VectorStoresRouter"]

log = logging.getLogger("plugstack.vector_stores")

_KEY_PREFIX = "vector_stores/"
_EMBED_BATCH = 64
_MAX_PAGE = 100
ItemT = TypeVar("ItemT", bound=BaseModel)


class VectorStoresRouter:
    def __init__(
        self,
        providers: Mapping[str, Any],
        kvstore: KVStore,
        sqlstore: SqlStore,
        *,
        inference: InferenceRouter,
        files: FilesRouter | None,
        pm: pluggy.PluginManager,
        max_concurrent_ingestions: int = 4,
    ) -> None:
        self.providers = dict(providers)
        self.kvstore = kvstore
        self.records = IngestionRecords(sqlstore)
        self.inference = inference
        self.files = files
        self.pm = pm
        self._stores: dict[str, VectorStore] = {}
        self._tasks: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._ingestion_slots = asyncio.Semaphore(max_concurrent_ingestions)
        self._attach_lock = asyncio.Lock()  # one check-then-insert of a file record at a time

    # -- life cycle -------------------------------------------------------------------------

    async def initialize(self, configured: Sequence[Mapping[str, Any]] = ()) -> None:
        """Load the stores, create those the run config declares, resume interrupted ingestion."""
        await self.records.initialize()
        for _key, value in await self.kvstore.items(_KEY_PREFIX):
            store = VectorStore.model_validate_json(value)
            if store.provider_id not in self.providers:
                log.warning("vector store %r skipped: provider %r is not configured", store.id, store.provider_id)
                continue
            await self._provider(store).register_vector_store(store)
            self._stores[store.id] = store
        for index, raw in enumerate(configured):
            try:
                declared = RegisterVectorStoreRequest.model_validate(raw)
            except ValidationError as exc:
                raise ConfigError(
                    f"registered_resources.vector_stores[{index}]: {bad_request_from(exc).message}"
                ) from None
            if declared.vector_store_id not in self._stores:
                await self._create_store(
                    declared.vector_store_id,
                    declared.name,
                    declared.provider_id,
                    declared.embedding_model,
                    declared.metadata,
                )
        for record in await self.records.find(status="in_progress"):
            if record.vector_store_id in self._stores:
                log.info("resuming ingestion of %s into %s", record.id, record.vector_store_id)
                self._start_ingestion(self._stores[record.vector_store_id], record)

    async def shutdown(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def on_file_deleted(self, file_id: str) -> None:
        """Listener for the files router: a deleted file leaves every vector store."""
        for record in await self.records.find(file_id=file_id):
            await self._remove_file(record.vector_store_id, file_id)

    # -- vector stores ------------------------------------------------------------------------

    async def create_vector_store(
        self, request: CreateVectorStoreRequest | None = None, /, **params: Any
    ) -> VectorStoreObject:
        request = validate_request(CreateVectorStoreRequest, request, params)
        _refuse_expiry(request.expires_after)
        store = await self._create_store(
            _new_id("vs"), request.name, request.provider_id, request.embedding_model, request.metadata
        )
        for file_id in request.file_ids:
            await self._attach(store, file_id, {}, request.chunking_strategy, batch_id=None)
        return await self._object(store)

    async def _create_store(
        self,
        store_id: str,
        name: str | None,
        provider_id: str | None,
        embedding_model: str | None,
        metadata: dict[str, Any],
    ) -> VectorStore:
        provider_id = provider_id or next(iter(self.providers))
        if provider_id not in self.providers:
            raise NotFoundError(
                f"vector_io provider {provider_id!r} not found; providers: {sorted(self.providers)}",
                param="provider_id",
            )
        model_id = embedding_model or await self._default_embedding_model(provider_id)
        store = VectorStore(
            id=store_id,
            name=name,
            provider_id=provider_id,
            provider_resource_id=store_id,
            embedding_model=model_id,
            embedding_dimension=await self._embedding_dimension(model_id),
            metadata=metadata,
        )
        await self._provider(store).register_vector_store(store)
        await self.kvstore.set(_KEY_PREFIX + store.id, store.model_dump_json())
        self._stores[store.id] = store
        return store

    async def list_vector_stores(
        self,
        limit: int = 20,
        order: Literal["asc", "desc"] = "desc",
        after: str | None = None,
        before: str | None = None,
    ) -> ListPage[VectorStoreObject]:
        objects = [await self._object(store) for store in self._stores.values()]
        page, has_more = paginate(objects, limit=limit, order=order, after=after, before=before, max_limit=_MAX_PAGE)
        return _list_page(ListPage[VectorStoreObject], page, has_more)

    async def retrieve_vector_store(self, vector_store_id: str) -> VectorStoreObject:
        return await self._object(self._store(vector_store_id))

    async def update_vector_store(
        self, vector_store_id: str, request: UpdateVectorStoreRequest | None = None, /, **params: Any
    ) -> VectorStoreObject:
        request = validate_request(UpdateVectorStoreRequest, request, params)
        _refuse_expiry(request.expires_after)
        store = self._store(vector_store_id)
        changes = request.model_dump(exclude_unset=True, exclude={"expires_after"})
        if "metadata" in changes and changes["metadata"] is None:
            changes["metadata"] = {}  # null clears the metadata
        store = VectorStore.model_validate({**store.model_dump(), **changes})
        await self.kvstore.set(_KEY_PREFIX + store.id, store.model_dump_json())
        self._stores[store.id] = store
        return await self._object(store)

    async def delete_vector_store(self, vector_store_id: str) -> VectorStoreDeleted:
        store = self._store(vector_store_id)
        for key, task in list(self._tasks.items()):
            if key[0] == store.id:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        await self._provider(store).unregister_vector_store(store.id)
        await self.records.delete_store(store.id)
        await self.kvstore.delete(_KEY_PREFIX + store.id)
        del self._stores[store.id]
        return VectorStoreDeleted(id=store.id)

    # -- files of a vector store --------------------------------------------------------------

    async def create_vector_store_file(
        self, vector_store_id: str, request: CreateVectorStoreFileRequest | None = None, /, **params: Any
    ) -> VectorStoreFile:
        request = validate_request(CreateVectorStoreFileRequest, request, params)
        store = self._store(vector_store_id)
        return await self._attach(store, request.file_id, request.attributes, request.chunking_strategy, batch_id=None)

    async def list_vector_store_files(
        self,
        vector_store_id: str,
        limit: int = 20,
        order: Literal["asc", "desc"] = "desc",
        after: str | None = None,
        before: str | None = None,
        filter: str | None = None,
        *,
        batch_id: str | None = None,
    ) -> ListPage[VectorStoreFile]:
        store = self._store(vector_store_id)
        where: dict[str, Any] = {"vector_store_id": store.id}
        if filter is not None:
            where["status"] = filter
        if batch_id is not None:
            where["batch_id"] = batch_id
        records = await self.records.find(**where)
        page, has_more = paginate(records, limit=limit, order=order, after=after, before=before, max_limit=_MAX_PAGE)
        return _list_page(ListPage[VectorStoreFile], page, has_more)

    async def retrieve_vector_store_file(self, vector_store_id: str, file_id: str) -> VectorStoreFile:
        return await self._record(self._store(vector_store_id).id, file_id)

    async def delete_vector_store_file(self, vector_store_id: str, file_id: str) -> VectorStoreFileDeleted:
        await self._record(self._store(vector_store_id).id, file_id)
        await self._remove_file(vector_store_id, file_id)
        return VectorStoreFileDeleted(id=file_id)

    # -- file batches ---------------------------------------------------------------------------

    async def create_file_batch(
        self, vector_store_id: str, request: CreateFileBatchRequest | None = None, /, **params: Any
    ) -> VectorStoreFileBatch:
        request = validate_request(CreateFileBatchRequest, request, params)
        store = self._store(vector_store_id)
        batch_id = _new_id("vsfb")
        await self.records.add_batch(batch_id, store.id)
        for file_id in request.file_ids:
            await self._attach(store, file_id, request.attributes, request.chunking_strategy, batch_id=batch_id)
        return await self.retrieve_file_batch(store.id, batch_id)

    async def retrieve_file_batch(self, vector_store_id: str, batch_id: str) -> VectorStoreFileBatch:
        batch = await self._batch(vector_store_id, batch_id)
        counts = count_statuses(await self.records.find(batch_id=batch_id))
        if batch["cancelled"]:
            status: Literal["in_progress", "completed", "cancelled", "failed"] = "cancelled"
        elif counts.in_progress:
            status = "in_progress"
        elif counts.failed == counts.total:
            status = "failed"
        else:
            status = "completed"
        return VectorStoreFileBatch(
            id=batch_id,
            created_at=batch["created_at"],
            vector_store_id=vector_store_id,
            status=status,
            file_counts=counts,
        )

    async def list_files_in_batch(
        self,
        vector_store_id: str,
        batch_id: str,
        limit: int = 20,
        order: Literal["asc", "desc"] = "desc",
        after: str | None = None,
        before: str | None = None,
        filter: str | None = None,
    ) -> ListPage[VectorStoreFile]:
        await self._batch(vector_store_id, batch_id)
        return await self.list_vector_store_files(
            vector_store_id, limit, order, after, before, filter, batch_id=batch_id
        )

    async def cancel_file_batch(self, vector_store_id: str, batch_id: str) -> VectorStoreFileBatch:
        """Stop the batch's files still in progress; they become ``cancelled`` and keep no chunk."""
        await self._batch(vector_store_id, batch_id)
        await self.records.cancel_batch(batch_id)
        for record in await self.records.find(batch_id=batch_id, status="in_progress"):
            await self._cancel_task(vector_store_id, record.id)
            await self._delete_chunks(self._store(vector_store_id), record.id, record.chunk_count)
            await self.records.update(vector_store_id, record.id, status="cancelled", chunk_count=0)
        return await self.retrieve_file_batch(vector_store_id, batch_id)

    # -- search ---------------------------------------------------------------------------------

    async def search_vector_store(
        self, vector_store_id: str, request: SearchRequest | None = None, /, **params: Any
    ) -> SearchResultsPage:
        request = validate_request(SearchRequest, request, params)
        if request.rewrite_query:
            raise NotImplementedByProviderError("rewrite_query is not supported by plugstack", param="rewrite_query")
        store = self._store(vector_store_id)
        queries = [request.query] if isinstance(request.query, str) else request.query
        query = " ".join(queries)
        if not query.strip():
            raise BadRequestError("query must not be empty", param="query")
        embedding = None
        if request.search_mode in ("vector", "hybrid"):
            embedding = (await self._embed(store, [query]))[0]
        provider = self._provider(store)
        scored: list[ScoredChunk] = await call_api(
            self.pm,
            "vector_io",
            "query_chunks",
            provider.query_chunks,
            store_id=store.id,
            query=query,
            query_embedding=embedding,
            mode=request.search_mode,
            max_results=request.max_num_results,
            filters=request.filters.model_dump() if request.filters else None,
        )
        # applied only when asked for: cosine similarities may be negative, BM25 scores exceed 1
        threshold = request.ranking_options.score_threshold if request.ranking_options else None
        filenames = {record.id: record.filename for record in await self.records.find(vector_store_id=store.id)}
        data = [
            SearchResult(
                file_id=item.chunk.file_id or "",
                filename=filenames.get(item.chunk.file_id or "", ""),
                score=item.score,
                attributes=item.chunk.attributes,
                content=[SearchContent(text=item.chunk.content)],
            )
            for item in scored
            if threshold is None or item.score >= threshold
        ]
        return SearchResultsPage(search_query=queries, data=data)

    # -- ingestion ------------------------------------------------------------------------------

    async def _attach(
        self,
        store: VectorStore,
        file_id: str,
        attributes: dict[str, Any],
        strategy: ChunkingStrategy | None,
        *,
        batch_id: str | None,
    ) -> VectorStoreFile:
        if self.files is None:
            raise NotImplementedByProviderError("the run config enables no files provider: files cannot be attached")
        file = await self.files.retrieve_file(file_id)
        static = strategy.resolved() if isinstance(strategy, AutoChunkingStrategy) else strategy
        record = FileRecord(
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
        self._start_ingestion(store, record)
        return record

    def _start_ingestion(self, store: VectorStore, record: FileRecord) -> None:
        key = (store.id, record.id)
        task = asyncio.create_task(self._ingest(store, record), name=f"ingest {record.id} into {store.id}")
        self._tasks[key] = task
        task.add_done_callback(lambda done: self._tasks.pop(key, None) if self._tasks.get(key) is done else None)

    async def _ingest(self, store: VectorStore, record: FileRecord) -> None:
        try:
            async with self._ingestion_slots:
                chunks = await self._chunks(store, record)
                # recorded before inserting: removing the file deletes every chunk it may have
                await self.records.update(store.id, record.id, chunk_count=len(chunks))
                provider = self._provider(store)
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

    async def _chunks(self, store: VectorStore, record: FileRecord) -> list[Chunk]:
        assert self.files is not None
        file = await self.files.retrieve_file(record.id)
        content = await self.files.file_content(record.id)
        text = await asyncio.to_thread(extract_text, content, file.filename)
        static = record.chunking_strategy.static
        pieces = chunk_text(text, static.max_chunk_size_tokens, static.chunk_overlap_tokens)
        if not pieces:
            raise UnreadableFileError(f"{file.filename!r} contains no text")
        vectors = await self._embed(store, pieces)
        return [
            Chunk(
                id=f"{record.id}:{i}", content=piece, embedding=vector, file_id=record.id, attributes=record.attributes
            )
            for i, (piece, vector) in enumerate(zip(pieces, vectors, strict=True))
        ]

    async def _fail(self, vector_store_id: str, file_id: str, error: FileError) -> None:
        await self.records.update(vector_store_id, file_id, status="failed", last_error=error.model_dump())

    async def _remove_file(self, vector_store_id: str, file_id: str) -> None:
        await self._cancel_task(vector_store_id, file_id)
        record = await self._record(vector_store_id, file_id)
        await self._delete_chunks(self._store(vector_store_id), file_id, record.chunk_count)
        await self.records.delete(vector_store_id, file_id)

    async def _cancel_task(self, vector_store_id: str, file_id: str) -> None:
        task = self._tasks.get((vector_store_id, file_id))
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _delete_chunks(self, store: VectorStore, file_id: str, count: int) -> None:
        if count:
            ids = [f"{file_id}:{i}" for i in range(count)]
            provider = self._provider(store)
            await call_api(
                self.pm, "vector_io", "delete_chunks", provider.delete_chunks, store_id=store.id, chunk_ids=ids
            )

    # -- embeddings -----------------------------------------------------------------------------

    async def _embed(self, store: VectorStore, texts: Sequence[str]) -> list[list[float]]:
        assert store.embedding_model is not None
        vectors: list[list[float]] = []
        for start in range(0, len(texts), _EMBED_BATCH):
            batch = list(texts[start : start + _EMBED_BATCH])
            response = await self.inference.embeddings(model=store.embedding_model, input=batch)
            vectors.extend(item.embedding for item in sorted(response.data, key=lambda d: d.index))  # type: ignore[misc]
        return vectors

    async def _default_embedding_model(self, provider_id: str) -> str:
        """The provider's configured ``default_embedding_model``, else the first embedding model served."""
        configured = getattr(self.providers[provider_id], "default_embedding_model", None)
        if configured:
            return str(configured)
        for model in (await self.inference.table.list_models()).data:
            if model.model_type == "embedding":
                return model.id
        raise BadRequestError(
            "no embedding model: set embedding_model on the vector store or in the vector_io provider's config, "
            "or enable an inference provider that serves an embedding model",
            param="embedding_model",
        )

    async def _embedding_dimension(self, model_id: str) -> int:
        model = self.inference.table.resolve(model_id)
        if model.model_type != "embedding":
            raise BadRequestError(f"model {model_id!r} is not an embedding model", param="embedding_model")
        dimension = model.metadata.get("embedding_dimension")
        if isinstance(dimension, int):
            return dimension
        response = await self.inference.embeddings(model=model_id, input=["dimension probe"])
        return len(response.data[0].embedding)

    # -- lookups --------------------------------------------------------------------------------

    def _store(self, vector_store_id: str) -> VectorStore:
        store = self._stores.get(vector_store_id)
        if store is None:
            raise NotFoundError(f"vector store {vector_store_id!r} not found", param="vector_store_id")
        return store

    def _provider(self, store: VectorStore) -> Any:
        return self.providers[store.provider_id]

    async def _record(self, vector_store_id: str, file_id: str) -> FileRecord:
        record = await self.records.get(vector_store_id, file_id)
        if record is None:
            raise NotFoundError(f"file {file_id!r} is not in vector store {vector_store_id!r}", param="file_id")
        return record

    async def _batch(self, vector_store_id: str, batch_id: str) -> dict[str, Any]:
        self._store(vector_store_id)
        batch = await self.records.get_batch(vector_store_id, batch_id)
        if batch is None:
            raise NotFoundError(
                f"file batch {batch_id!r} not found in vector store {vector_store_id!r}", param="batch_id"
            )
        return batch

    async def _object(self, store: VectorStore) -> VectorStoreObject:
        records = await self.records.find(vector_store_id=store.id)
        counts = count_statuses(records)
        return VectorStoreObject(
            **store.model_dump(),
            usage_bytes=sum(record.usage_bytes for record in records),
            file_counts=counts,
            status="in_progress" if counts.in_progress else "completed",
        )


def _refuse_expiry(expires_after: dict[str, Any] | None) -> None:
    if expires_after is not None:
        raise NotImplementedByProviderError("expires_after is not supported by plugstack yet", param="expires_after")


def _new_id(prefix: str) -> str:
    """A random id that sorts by creation time, so that lists keep creation order within a second."""
    return f"{prefix}_{time.time_ns():016x}{secrets.token_hex(8)}"


def _list_page(page_class: type[ListPage[ItemT]], page: Sequence[ItemT], has_more: bool) -> ListPage[ItemT]:
    return page_class(
        data=list(page),
        first_id=getattr(page[0], "id", None) if page else None,
        last_id=getattr(page[-1], "id", None) if page else None,
        has_more=has_more,
    )
