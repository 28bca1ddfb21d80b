"""The ``inline::localfs`` datasetio provider: rows of JSONL, CSV and Parquet files, or inline.

A dataset's file is a local path under the config's ``allowed_dirs`` (``file:///...``)
or a file of the files API (``file-...``); its format comes from ``metadata.format`` or
the file's name. No page reads the whole file: JSONL and CSV files are indexed once
(byte offset of each row, rebuilt when a local file changes) and each page seeks to its
first row; Parquet pages decode only the row groups they overlap. The files API hands
out whole contents only, so those are kept in the same bounded cache as the indexes.
Files are read in worker threads, never on the event loop.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from plugstack.apis.datasetio import Row, RowPage
from plugstack.apis.datasets import Dataset, RowsDataSource, URIDataSource
from plugstack.apis.files import FileObject
from plugstack.errors import BadRequestError, NotFoundError, NotImplementedByProviderError
from plugstack.provider_context import ProviderContext
from plugstack_datasetio_local.cache import BoundedCache
from plugstack_datasetio_local.config import LocalDatasetIOConfig
from plugstack_datasetio_local.formats import Format, dataset_format
from plugstack_datasetio_local.parquet_rows import read_parquet
from plugstack_datasetio_local.sources import local_path, refuse_network
from plugstack_datasetio_local.text_rows import TextIndex, index_csv, index_jsonl, read_csv, read_jsonl

__all__ = ["LocalDatasetIO", "create_provider"]


def create_provider(config: LocalDatasetIOConfig, context: ProviderContext) -> LocalDatasetIO:
    return LocalDatasetIO(config, files=context.get("files"), provider_id=context.provider_id)


@dataclass(frozen=True)
class _Source:
    """A dataset's file as one page read sees it.

    ``key`` names its current content (a local file's path, size and mtime; a files-API
    id), so cached indexes of an older content are never used; ``where`` names it in errors.
    """

    key: tuple[Hashable, ...]
    filename: str
    format: Format
    where: str
    open: Callable[[], IO[bytes]]
    path: Path | None = None


class LocalDatasetIO:
    """``files`` is the files router, when the run config has a files provider."""

    def __init__(self, config: LocalDatasetIOConfig, *, files: Any = None, provider_id: str = "localfs") -> None:
        self.config = config
        self.files = files
        self.provider_id = provider_id
        self.cache = BoundedCache(config.cache_bytes)
        self._locks: dict[Hashable, asyncio.Lock] = {}

    async def register_dataset(self, dataset: Dataset) -> None:
        """Refuse at registration what no page could read: a network URI, a path not allowed, an unknown format."""
        if isinstance(dataset.source, URIDataSource):
            await self._source(dataset)

    async def unregister_dataset(self, dataset: Dataset) -> None:
        if isinstance(dataset.source, URIDataSource):
            uri = dataset.source.uri
            self.cache.drop(lambda key: isinstance(key, tuple) and key[:1] == (uri,))

    async def iterrows(self, dataset: Dataset, start_index: int, limit: int | None) -> RowPage:
        if isinstance(dataset.source, RowsDataSource):
            rows = dataset.source.rows
            stop = len(rows) if limit is None else start_index + limit
            return RowPage(rows[start_index:stop], stop < len(rows))
        source = await self._source(dataset)
        if source.format == "parquet":
            return await asyncio.to_thread(self._parquet_page, source, start_index, limit)
        index = await self._index(source)
        return await asyncio.to_thread(self._text_page, source, index, start_index, limit)

    async def append_rows(self, dataset: Dataset, rows: list[Row]) -> Dataset | None:
        """Rows datasets grow in their resource; local JSONL files on disk; nothing else can grow."""
        if isinstance(dataset.source, RowsDataSource):
            grown = RowsDataSource(rows=[*dataset.source.rows, *rows])
            return dataset.model_copy(update={"source": grown})
        source = await self._source(dataset)
        if source.path is None:
            raise NotImplementedByProviderError(
                f"dataset {dataset.id!r} is a file of the files API, and those never change: "
                "register a local JSONL file or rows to append to",
                param="dataset_id",
            )
        if source.format != "jsonl":
            raise NotImplementedByProviderError(
                f"dataset {dataset.id!r} is a {source.format} file: inline::localfs appends to JSONL files "
                "and rows datasets only",
                param="dataset_id",
            )
        lines = b"".join(_jsonl_line(i, row) for i, row in enumerate(rows))
        async with self._lock(source.key[0]):
            await asyncio.to_thread(self._append, source, lines)
        return None

    # -- sources ---------------------------------------------------------------------------

    async def _source(self, dataset: Dataset) -> _Source:
        assert isinstance(dataset.source, URIDataSource)
        uri = dataset.source.uri
        refuse_network(dataset.id, uri)
        if uri.startswith("file://"):
            path = local_path(dataset.id, uri, self.config.allowed_dirs)
            return _Source(
                key=(uri, *_fingerprint(path.stat())),
                filename=path.name,
                format=dataset_format(dataset, path.name),
                where=f"dataset {dataset.id!r} ({path})",
                open=lambda: path.open("rb"),
                path=path,
            )
        file = await self._stored_file(dataset, uri)
        source_format = dataset_format(dataset, file.filename)
        content = await self._content(file)
        return _Source(
            key=(uri,),
            filename=file.filename,
            format=source_format,
            where=f"dataset {dataset.id!r} (file {file.id}, {file.filename!r})",
            open=lambda: io.BytesIO(content),
        )

    async def _stored_file(self, dataset: Dataset, file_id: str) -> FileObject:
        if self.files is None:
            raise BadRequestError(
                f"dataset {dataset.id!r} names {file_id!r}, a file of the files API, "
                "but the run config has no files provider",
                param="source.uri",
            )
        try:
            file: FileObject = await self.files.retrieve_file(file_id)  # each page: a deleted file stops serving
        except NotFoundError:
            raise BadRequestError(
                f"dataset {dataset.id!r}: file {file_id!r} is not in the files API", param="source.uri"
            ) from None
        return file

    async def _content(self, file: FileObject) -> bytes:
        key = (file.id, "content")
        cached = self.cache.get(key)
        if isinstance(cached, bytes):
            return cached
        content: bytes = await self.files.file_content(file.id)
        self.cache.put(key, content, len(content))
        return content

    # -- reading ---------------------------------------------------------------------------

    async def _index(self, source: _Source) -> TextIndex:
        """The source's row index, built once per content (one builder at a time per source)."""
        key = (*source.key, "index")
        cached = self.cache.get(key)
        if isinstance(cached, TextIndex):
            return cached
        async with self._lock(source.key[0]):
            cached = self.cache.get(key)
            if isinstance(cached, TextIndex):
                return cached
            index = await asyncio.to_thread(self._build_index, source)
            self.cache.put(key, index, index.cost)
            return index

    def _build_index(self, source: _Source) -> TextIndex:
        with source.open() as f:
            return index_jsonl(f) if source.format == "jsonl" else index_csv(f, source.where)

    def _text_page(self, source: _Source, index: TextIndex, start: int, limit: int | None) -> RowPage:
        read = read_jsonl if source.format == "jsonl" else read_csv
        with source.open() as f:
            rows = read(f, index, start, limit, source.where)
        return RowPage(rows, start + len(rows) < len(index))

    def _parquet_page(self, source: _Source, start: int, limit: int | None) -> RowPage:
        with source.open() as f:
            rows, total = read_parquet(f, start, limit, self.cache, (*source.key, "group"), source.where)
        return RowPage(rows, start + len(rows) < total)

    def _append(self, source: _Source, lines: bytes) -> None:
        """Append ``lines`` (after a newline if the file lacks its last), and extend a cached index in place."""
        assert source.path is not None
        old_index = self.cache.get((*source.key, "index"))
        with source.path.open("r+b") as f:
            f.seek(0, os.SEEK_END)
            if f.tell() > 0:
                f.seek(-1, os.SEEK_END)
                if f.read(1) != b"\n":
                    f.write(b"\n")
            f.write(lines)
            f.flush()
            if isinstance(old_index, TextIndex):
                stat = os.fstat(f.fileno())
                grown = index_jsonl(f, TextIndex(old_index.offsets[:], old_index.end))
                self.cache.put((source.key[0], *_fingerprint(stat), "index"), grown, grown.cost)

    def _lock(self, uri: Hashable) -> asyncio.Lock:
        """One lock per source URI: an index is built, or rows appended, by one task at a time."""
        return self._locks.setdefault(uri, asyncio.Lock())


def _fingerprint(stat: os.stat_result) -> tuple[int, int, int]:
    """What changes when a local file does: a cached index of another fingerprint is stale."""
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)


def _jsonl_line(position: int, row: Row) -> bytes:
    try:
        return json.dumps(row, ensure_ascii=False).encode() + b"\n"
    except (TypeError, ValueError) as exc:
        raise BadRequestError(f"rows[{position}] is not JSON ({exc})", param="rows") from None
