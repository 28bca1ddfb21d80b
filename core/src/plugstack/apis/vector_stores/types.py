"""Vector stores in the OpenAI wire format: ``/v1/vector_stores`` and its files, batches and search.

:mod:`plugstack.apis.vector_io` holds what a backend implements; this module holds what
clients send and receive. Requests forbid unknown fields, so a misspelt option is a 400
rather than silently ignored. plugstack's extensions (``provider_id``, ``embedding_model``
on create, ``search_mode`` on search) are optional and named as in Llama Stack.
"""

from __future__ import annotations

import time
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from plugstack.apis.vector_io import SearchMode, VectorStore
from plugstack.retrieval.chunking import AutoChunkingStrategy, ChunkingStrategy, StaticChunkingStrategy
from plugstack.retrieval.filters import Filter

__all__ = [
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

Attributes = dict[str, str | int | float | bool]
FileStatus = Literal["in_progress", "completed", "failed", "cancelled"]
ItemT = TypeVar("ItemT", bound=BaseModel)


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CreateVectorStoreRequest(_Request):
    name: str | None = None
    file_ids: list[str] = Field(default_factory=list)
    chunking_strategy: ChunkingStrategy | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    expires_after: dict[str, Any] | None = None
    # plugstack extensions
    provider_id: str | None = None
    embedding_model: str | None = None


class RegisterVectorStoreRequest(_Request):
    """A store the run config declares (``registered_resources.vector_stores``), made at start-up if missing.

    The id is chosen by the run config, so that applications can name the store; it must
    suit every backend (letters, digits, ``_`` and ``-``, starting and ending alnum).
    """

    vector_store_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{1,62}[A-Za-z0-9]$")
    name: str | None = None
    provider_id: str | None = None
    embedding_model: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class UpdateVectorStoreRequest(_Request):
    name: str | None = None
    metadata: dict[str, Any] | None = None
    expires_after: dict[str, Any] | None = None


class CreateVectorStoreFileRequest(_Request):
    file_id: str = Field(min_length=1)
    attributes: Attributes = Field(default_factory=dict)
    chunking_strategy: ChunkingStrategy | None = None


class CreateFileBatchRequest(_Request):
    file_ids: list[str] = Field(min_length=1)
    attributes: Attributes = Field(default_factory=dict)
    chunking_strategy: ChunkingStrategy | None = None


class RankingOptions(_Request):
    ranker: Literal["auto", "default-2024-11-15", "none"] = "auto"
    score_threshold: float = Field(default=0.0, ge=0.0)


class SearchRequest(_Request):
    query: str | list[str]
    filters: Filter | None = None
    max_num_results: int = Field(default=10, ge=1, le=50)
    ranking_options: RankingOptions | None = None
    rewrite_query: bool = False
    search_mode: SearchMode = "vector"  # plugstack extension


class FileCounts(BaseModel):
    in_progress: int = 0
    completed: int = 0
    failed: int = 0
    cancelled: int = 0
    total: int = 0


class VectorStoreObject(VectorStore):
    """A vector store as the API returns it: the stored record plus live counts."""

    usage_bytes: int = 0
    file_counts: FileCounts = Field(default_factory=FileCounts)
    status: Literal["expired", "in_progress", "completed"] = "completed"
    expires_after: dict[str, Any] | None = None
    expires_at: int | None = None
    last_active_at: int | None = None


class VectorStoreDeleted(BaseModel):
    id: str
    object: Literal["vector_store.deleted"] = "vector_store.deleted"
    deleted: bool = True


class FileError(BaseModel):
    code: Literal["server_error", "unsupported_file", "invalid_file"]
    message: str


class VectorStoreFile(BaseModel):
    id: str
    object: Literal["vector_store.file"] = "vector_store.file"
    usage_bytes: int = 0
    created_at: int = Field(default_factory=lambda: int(time.time()))
    vector_store_id: str
    status: FileStatus = "in_progress"
    last_error: FileError | None = None
    chunking_strategy: StaticChunkingStrategy = Field(default_factory=lambda: AutoChunkingStrategy().resolved())
    attributes: Attributes = Field(default_factory=dict)


class VectorStoreFileDeleted(BaseModel):
    id: str
    object: Literal["vector_store.file.deleted"] = "vector_store.file.deleted"
    deleted: bool = True


class VectorStoreFileBatch(BaseModel):
    id: str
    object: Literal["vector_store.files_batch"] = "vector_store.files_batch"
    created_at: int = Field(default_factory=lambda: int(time.time()))
    vector_store_id: str
    status: Literal["in_progress", "completed", "cancelled", "failed"] = "in_progress"
    file_counts: FileCounts = Field(default_factory=FileCounts)


class SearchContent(BaseModel):
    type: Literal["text"] = "text"
    text: str


class SearchResult(BaseModel):
    file_id: str
    filename: str
    score: float
    attributes: dict[str, Any] = Field(default_factory=dict)
    content: list[SearchContent]


class SearchResultsPage(BaseModel):
    object: Literal["vector_store.search_results.page"] = "vector_store.search_results.page"
    search_query: list[str]
    data: list[SearchResult]
    has_more: bool = False
    next_page: str | None = None


class ListPage(BaseModel, Generic[ItemT]):
    """A cursor page as OpenAI's list endpoints return it (``after``/``before`` take ids)."""

    object: Literal["list"] = "list"
    data: list[ItemT]
    first_id: str | None = None
    last_id: str | None = None
    has_more: bool = False
