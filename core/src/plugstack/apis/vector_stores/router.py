"""The vector stores router: what ``stack.vector_stores`` is, in library and server mode alike.

It implements OpenAI's vector stores API over the vector IO providers. Stores are
resources (:class:`~plugstack.resource_table.ResourceTable`, persisted in the kvstore
like models), each owned by one provider, which keeps its chunks; a restart reloads
them. Attached files are ingested in the background (:mod:`.ingestion`) and their state
kept in the sqlstore (:mod:`.ingestion_records`); search is :mod:`.search`.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypeVar

import pluggy
from pydantic import BaseModel, ValidationError

from plugstack.apis.definition import RouterContext
from plugstack.apis.files.router import FilesRouter
from plugstack.apis.inference.router import InferenceRouter
from plugstack.apis.vector_io import VectorStore
from plugstack.apis.vector_stores.embedding import StoreEmbedder
from plugstack.apis.vector_stores.ingestion import Ingestion
from plugstack.apis.vector_stores.ingestion_records import IngestionRecords, count_statuses
from plugstack.apis.vector_stores.search import search_store
from plugstack.apis.vector_stores.types import (
    CreateFileBatchRequest,
    CreateVectorStoreFileRequest,
    CreateVectorStoreRequest,
    ListPage,
    RegisterVectorStoreRequest,
    SearchRequest,
    SearchResultsPage,
    UpdateVectorStoreRequest,
    VectorStoreDeleted,
    VectorStoreFile,
    VectorStoreFileBatch,
    VectorStoreFileDeleted,
    VectorStoreObject,
)
from plugstack.errors import ConfigError, NotFoundError, NotImplementedByProviderError
from plugstack.pagination import paginate
from plugstack.resource_table import ResourceTable
from plugstack.storage import KVStore, SqlStore
from plugstack.validation import bad_request_from, validate_request

__all__ = ["VectorStoresRouter", "build_routers"]

log = logging.getLogger("plugstack.vector_stores")

_MAX_PAGE = 100
ItemT = TypeVar("ItemT", bound=BaseModel)


async def build_routers(context: RouterContext) -> dict[str, object]:
    """The vector stores router over the vector IO providers; a deleted file leaves every store."""
    files: FilesRouter | None = context.routers.get("files")
    router = VectorStoresRouter(
        context.providers,
        context.kvstore,
        await context.sqlstore(),
        inference=context.routers["inference"],
        files=files,
        pm=context.pm,
    )
    await router.initialize(context.resources["vector_stores"])
    context.on_shutdown(router.shutdown)
    if files is not None:
        files.add_deleted_listener(router.on_file_deleted)
    return {"vector_io": router, "vector_stores": router}


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
        self.stores = ResourceTable(
            "vector store", VectorStore, providers, kvstore, key_prefix="vector_stores/", id_param="vector_store_id"
        )
        self.providers = self.stores.providers  # provider_id -> vector IO provider object
        self.records = IngestionRecords(sqlstore)
        self.embedder = StoreEmbedder(inference, self.stores.providers)
        self.ingestion = Ingestion(
            self.stores, self.records, self.embedder, files, pm, max_concurrent=max_concurrent_ingestions
        )
        self.pm = pm

    # -- life cycle -------------------------------------------------------------------------

    async def initialize(self, configured: Sequence[Mapping[str, Any]] = ()) -> None:
        """Load the stores, create those the run config declares, resume interrupted ingestion."""
        await self.records.initialize()
        for store in await self.stores.load():
            await self.stores.provider(store).register_vector_store(store)
        for index, raw in enumerate(configured):
            try:
                declared = RegisterVectorStoreRequest.model_validate(raw)
            except ValidationError as exc:
                raise ConfigError(
                    f"registered_resources.vector_stores[{index}]: {bad_request_from(exc).message}"
                ) from None
            if self.stores.find(declared.vector_store_id) is None:
                await self._create_store(
                    declared.vector_store_id,
                    declared.name,
                    declared.provider_id,
                    declared.embedding_model,
                    declared.metadata,
                )
        await self.ingestion.resume()

    async def shutdown(self) -> None:
        await self.ingestion.shutdown()

    async def on_file_deleted(self, file_id: str) -> None:
        """Listener for the files router: a deleted file leaves every vector store."""
        for record in await self.records.find(file_id=file_id):
            await self.ingestion.remove_file(self.stores.get(record.vector_store_id), file_id)

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
            await self.ingestion.attach(store, file_id, {}, request.chunking_strategy, batch_id=None)
        return await self._object(store)

    async def _create_store(
        self,
        store_id: str,
        name: str | None,
        provider_id: str | None,
        embedding_model: str | None,
        metadata: dict[str, Any],
    ) -> VectorStore:
        provider_id = self.stores.provider_id_for(provider_id or next(iter(self.stores.providers)))
        model_id = embedding_model or await self.embedder.default_model(provider_id)
        store = VectorStore(
            id=store_id,
            name=name,
            provider_id=provider_id,
            provider_resource_id=store_id,
            embedding_model=model_id,
            embedding_dimension=await self.embedder.dimension(model_id),
            metadata=metadata,
        )
        await self.stores.provider(store).register_vector_store(store)
        return await self.stores.register(store)

    async def list_vector_stores(
        self,
        limit: int = 20,
        order: Literal["asc", "desc"] = "desc",
        after: str | None = None,
        before: str | None = None,
    ) -> ListPage[VectorStoreObject]:
        objects = [await self._object(store) for store in self.stores.list()]
        page, has_more = paginate(objects, limit=limit, order=order, after=after, before=before, max_limit=_MAX_PAGE)
        return _list_page(ListPage[VectorStoreObject], page, has_more)

    async def retrieve_vector_store(self, vector_store_id: str) -> VectorStoreObject:
        return await self._object(self.stores.get(vector_store_id))

    async def update_vector_store(
        self, vector_store_id: str, request: UpdateVectorStoreRequest | None = None, /, **params: Any
    ) -> VectorStoreObject:
        request = validate_request(UpdateVectorStoreRequest, request, params)
        _refuse_expiry(request.expires_after)
        store = self.stores.get(vector_store_id)
        changes = request.model_dump(exclude_unset=True, exclude={"expires_after"})
        if "metadata" in changes and changes["metadata"] is None:
            changes["metadata"] = {}  # null clears the metadata
        store = await self.stores.save(VectorStore.model_validate({**store.model_dump(), **changes}))
        return await self._object(store)

    async def delete_vector_store(self, vector_store_id: str) -> VectorStoreDeleted:
        store = self.stores.get(vector_store_id)
        await self.ingestion.cancel_store(store.id)
        await self.stores.provider(store).unregister_vector_store(store.id)
        await self.records.delete_store(store.id)
        await self.stores.unregister(store.id)
        return VectorStoreDeleted(id=store.id)

    # -- files of a vector store --------------------------------------------------------------

    async def create_vector_store_file(
        self, vector_store_id: str, request: CreateVectorStoreFileRequest | None = None, /, **params: Any
    ) -> VectorStoreFile:
        request = validate_request(CreateVectorStoreFileRequest, request, params)
        store = self.stores.get(vector_store_id)
        return await self.ingestion.attach(
            store, request.file_id, request.attributes, request.chunking_strategy, batch_id=None
        )

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
        store = self.stores.get(vector_store_id)
        where: dict[str, Any] = {"vector_store_id": store.id}
        if filter is not None:
            where["status"] = filter
        if batch_id is not None:
            where["batch_id"] = batch_id
        records = await self.records.find(**where)
        page, has_more = paginate(records, limit=limit, order=order, after=after, before=before, max_limit=_MAX_PAGE)
        return _list_page(ListPage[VectorStoreFile], page, has_more)

    async def retrieve_vector_store_file(self, vector_store_id: str, file_id: str) -> VectorStoreFile:
        return await self.ingestion.record(self.stores.get(vector_store_id).id, file_id)

    async def delete_vector_store_file(self, vector_store_id: str, file_id: str) -> VectorStoreFileDeleted:
        store = self.stores.get(vector_store_id)
        await self.ingestion.record(store.id, file_id)
        await self.ingestion.remove_file(store, file_id)
        return VectorStoreFileDeleted(id=file_id)

    # -- file batches ---------------------------------------------------------------------------

    async def create_file_batch(
        self, vector_store_id: str, request: CreateFileBatchRequest | None = None, /, **params: Any
    ) -> VectorStoreFileBatch:
        request = validate_request(CreateFileBatchRequest, request, params)
        store = self.stores.get(vector_store_id)
        batch_id = _new_id("vsfb")
        await self.records.add_batch(batch_id, store.id)
        for file_id in request.file_ids:
            await self.ingestion.attach(
                store, file_id, request.attributes, request.chunking_strategy, batch_id=batch_id
            )
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
        await self.ingestion.cancel_batch(self.stores.get(vector_store_id), batch_id)
        return await self.retrieve_file_batch(vector_store_id, batch_id)

    # -- search ---------------------------------------------------------------------------------

    async def search_vector_store(
        self, vector_store_id: str, request: SearchRequest | None = None, /, **params: Any
    ) -> SearchResultsPage:
        request = validate_request(SearchRequest, request, params)
        store = self.stores.get(vector_store_id)
        return await search_store(
            store, request, stores=self.stores, embedder=self.embedder, records=self.records, pm=self.pm
        )

    # -- lookups --------------------------------------------------------------------------------

    async def _batch(self, vector_store_id: str, batch_id: str) -> dict[str, Any]:
        self.stores.get(vector_store_id)
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
