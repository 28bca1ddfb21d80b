"""The ``inline::localfs`` provider: one file per upload under ``storage_dir``, one row per file.

Contents are written to a temporary name and renamed into place before the row is
inserted, so a crash never leaves a row without its file (at worst a file without a row,
which nothing lists or serves).
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from pathlib import Path
from typing import Any

from plugstack.apis import Api
from plugstack.apis.files import FileList, FileObject
from plugstack.errors import BadRequestError, NotFoundError
from plugstack.run_config import StoreConfig
from plugstack.storage import SqlStore, create_engine_for
from plugstack_localfs.config import LocalFSConfig

__all__ = ["LocalFSFiles", "create_provider"]

_TABLE = "localfs_files"


def create_provider(config: LocalFSConfig, deps: dict[Api, Any]) -> LocalFSFiles:
    return LocalFSFiles(config)


class LocalFSFiles:
    def __init__(self, config: LocalFSConfig) -> None:
        self.config = config
        self.root = Path(config.storage_dir).expanduser()
        self._engine: Any = None
        self.store: SqlStore | None = None

    async def initialize(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self._engine = create_engine_for(self.config.metadata_store or StoreConfig(), self.root / "files.db")
        self.store = SqlStore(self._engine)
        await self.store.create_table(
            _TABLE,
            {"id": "string", "filename": "text", "purpose": "string", "bytes": "integer", "created_at": "integer"},
            primary_key="id",
        )

    async def shutdown(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()

    async def create_file(self, content: bytes, filename: str, purpose: str) -> FileObject:
        limit = self.config.max_file_size_bytes
        if len(content) > limit:
            raise BadRequestError(
                f"file {filename!r} is {len(content)} bytes; the limit is {limit} bytes",
                param="file",
                code="file_too_large",
            )
        file = FileObject(
            id=f"file-{uuid.uuid4().hex}",
            bytes=len(content),
            filename=filename,
            purpose=purpose,
            created_at=int(time.time()),
        )  # type: ignore[arg-type]
        await asyncio.to_thread(self._write, file.id, content)
        await self._store().insert(
            _TABLE, file.model_dump(include={"id", "filename", "purpose", "bytes", "created_at"})
        )
        return file

    async def list_files(self, purpose: str | None = None, limit: int = 10000) -> FileList:
        where = {"purpose": purpose} if purpose else None
        rows = await self._store().fetch_all(_TABLE, where, order_by="created_at", descending=True, limit=limit)
        return FileList(data=[FileObject.model_validate(row) for row in rows])

    async def retrieve_file(self, file_id: str) -> FileObject:
        row = await self._store().fetch_one(_TABLE, {"id": file_id})
        if row is None:
            raise NotFoundError(f"file {file_id!r} not found", param="file_id", code="file_not_found")
        return FileObject.model_validate(row)

    async def file_content(self, file_id: str) -> bytes:
        await self.retrieve_file(file_id)
        return await asyncio.to_thread(self._path(file_id).read_bytes)

    async def delete_file(self, file_id: str) -> None:
        await self.retrieve_file(file_id)
        await self._store().delete(_TABLE, {"id": file_id})
        self._path(file_id).unlink(missing_ok=True)

    async def health(self) -> dict[str, Any]:
        writable = os.access(self.root, os.W_OK)
        return {"status": "OK"} if writable else {"status": "Error", "message": f"{self.root} is not writable"}

    def _write(self, file_id: str, content: bytes) -> None:
        temporary = self.root / f".{file_id}.partial"
        temporary.write_bytes(content)
        temporary.replace(self._path(file_id))

    def _path(self, file_id: str) -> Path:
        return self.root / file_id

    def _store(self) -> SqlStore:
        if self.store is None:
            raise RuntimeError("inline::localfs used before initialize()")
        return self.store
