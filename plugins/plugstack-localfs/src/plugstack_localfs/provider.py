"""The ``inline::localfs`` provider: one file per upload under ``storage_dir``, one record per file.

Contents are written to a temporary name and renamed into place before the record is
inserted, so a crash never leaves a record without its file (at worst a file without a
record, which nothing lists or serves).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from plugstack.apis.files import FileList, FileObject
from plugstack.apis.files.metadata_store import FileMetadataStore, check_file_size
from plugstack.provider_context import ProviderContext
from plugstack.run_config import StoreConfig
from plugstack.storage import SqlStore, create_engine_for
from plugstack_localfs.config import LocalFSConfig

__all__ = ["LocalFSFiles", "create_provider"]


def create_provider(config: LocalFSConfig, context: ProviderContext) -> LocalFSFiles:
    return LocalFSFiles(config, provider_id=context.provider_id)


class LocalFSFiles:
    """``provider_id`` is the provider's id in the run config; its errors name it."""

    def __init__(self, config: LocalFSConfig, *, provider_id: str = "localfs") -> None:
        self.config = config
        self.provider_id = provider_id
        self.root = Path(config.storage_dir).expanduser()
        self._engine: Any = None
        self._records: FileMetadataStore | None = None

    async def initialize(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self._engine = create_engine_for(self.config.metadata_store or StoreConfig(), self.root / "files.db")
        self._records = FileMetadataStore(SqlStore(self._engine), "localfs_files")
        await self._records.initialize()

    async def shutdown(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()

    async def create_file(self, content: bytes, filename: str, purpose: str) -> FileObject:
        check_file_size(filename, len(content), self.config.max_file_size_bytes)
        file = FileMetadataStore.new(filename, purpose, len(content))
        await asyncio.to_thread(self._write, file.id, content)
        await self.records.add(file)
        return file

    async def list_files(self, purpose: str | None = None, limit: int = 10000) -> FileList:
        return await self.records.list(purpose, limit)

    async def retrieve_file(self, file_id: str) -> FileObject:
        return await self.records.get(file_id)

    async def file_content(self, file_id: str) -> bytes:
        await self.records.get(file_id)  # 404 first; the id then names a file we wrote
        return await asyncio.to_thread(self._path(file_id).read_bytes)

    async def delete_file(self, file_id: str) -> None:
        await self.records.get(file_id)
        await self.records.remove(file_id)
        self._path(file_id).unlink(missing_ok=True)

    async def health(self) -> dict[str, Any]:
        writable = os.access(self.root, os.W_OK)
        return {"status": "OK"} if writable else {"status": "Error", "message": f"{self.root} is not writable"}

    @property
    def records(self) -> FileMetadataStore:
        if self._records is None:
            raise RuntimeError(f"provider {self.provider_id!r} (inline::localfs) used before initialize()")
        return self._records

    def _write(self, file_id: str, content: bytes) -> None:
        temporary = self.root / f".{file_id}.partial"
        temporary.write_bytes(content)
        temporary.replace(self._path(file_id))

    def _path(self, file_id: str) -> Path:
        return self.root / file_id
