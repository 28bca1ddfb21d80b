"""``FileMetadataStore``: the metadata table every files provider keeps, on the core's SQL store.

A files provider stores contents its own way (a directory, an S3 bucket) and the records
(``id``, ``filename``, ``purpose``, ``bytes``, ``created_at``) here, so that listing,
lookups and the 404 for an unknown id behave the same whatever the backend.
"""

from __future__ import annotations

import time
import uuid

from plugstack.apis.files import FileList, FileObject
from plugstack.errors import BadRequestError, NotFoundError
from plugstack.storage import SqlStore
from plugstack.storage.sqlstore import ColumnType

__all__ = ["FileMetadataStore", "check_file_size"]

_COLUMNS: dict[str, ColumnType] = {
    "id": "string",
    "filename": "text",
    "purpose": "string",
    "bytes": "integer",
    "created_at": "integer",
}


def check_file_size(filename: str, size: int, limit: int) -> None:
    """A 400 (``code: file_too_large``) when ``size`` exceeds the provider's ``limit``."""
    if size > limit:
        raise BadRequestError(
            f"file {filename!r} is {size} bytes; the limit is {limit} bytes", param="file", code="file_too_large"
        )


class FileMetadataStore:
    def __init__(self, store: SqlStore, table: str) -> None:
        self.store = store
        self.table = table

    async def initialize(self) -> None:
        await self.store.create_table(self.table, _COLUMNS, primary_key="id")

    @staticmethod
    def new(filename: str, purpose: str, size: int) -> FileObject:
        """A record with a fresh random id, not stored yet."""
        return FileObject.model_validate(
            {
                "id": f"file-{uuid.uuid4().hex}",
                "bytes": size,
                "filename": filename,
                "purpose": purpose,
                "created_at": int(time.time()),
            }
        )

    async def add(self, file: FileObject) -> None:
        await self.store.insert(self.table, file.model_dump(include=set(_COLUMNS)))

    async def list(self, purpose: str | None = None, limit: int = 10000) -> FileList:
        where = {"purpose": purpose} if purpose else None
        rows = await self.store.fetch_all(self.table, where, order_by="created_at", descending=True, limit=limit)
        return FileList(data=[FileObject.model_validate(row) for row in rows])

    async def get(self, file_id: str) -> FileObject:
        row = await self.store.fetch_one(self.table, {"id": file_id})
        if row is None:
            raise NotFoundError(f"file {file_id!r} not found", param="file_id", code="file_not_found")
        return FileObject.model_validate(row)

    async def remove(self, file_id: str) -> None:
        await self.store.delete(self.table, {"id": file_id})
