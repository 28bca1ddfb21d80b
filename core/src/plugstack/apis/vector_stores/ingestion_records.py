"""What the vector stores router remembers about attached files and file batches.

Two tables in the stack's SQL store (``storage.sqlstore``): one row per file per vector
store (status, last error, chunking, attributes and how many chunks it may have in the
backend) and one per file batch. They outlive restarts, so that an interrupted ingestion
resumes and a deleted file's chunks can still be found.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

from pydantic import Field

from plugstack.apis.vector_stores import FileCounts, VectorStoreFile
from plugstack.storage import SqlStore

__all__ = ["IngestionRecord", "IngestionRecords", "count_statuses"]

_FILES = "plugstack_vector_store_files"
_BATCHES = "plugstack_vector_store_file_batches"


class IngestionRecord(VectorStoreFile):
    """A vector store file plus what only the router needs (left out of API responses)."""

    filename: str = Field(default="", exclude=True)
    chunk_count: int = Field(default=0, exclude=True)
    batch_id: str | None = Field(default=None, exclude=True)


def count_statuses(records: Sequence[IngestionRecord]) -> FileCounts:
    by_status = Counter(record.status for record in records)
    return FileCounts(
        in_progress=by_status["in_progress"],
        completed=by_status["completed"],
        failed=by_status["failed"],
        cancelled=by_status["cancelled"],
        total=len(records),
    )


class IngestionRecords:
    def __init__(self, sql: SqlStore) -> None:
        self.sql = sql

    async def initialize(self) -> None:
        await self.sql.create_table(
            _FILES,
            {
                "key": "string",
                "vector_store_id": "string",
                "file_id": "string",
                "filename": "text",
                "status": "string",
                "last_error": "json",
                "chunking_strategy": "json",
                "attributes": "json",
                "usage_bytes": "integer",
                "chunk_count": "integer",
                "created_at": "integer",
                "batch_id": "string",
            },
            primary_key="key",
        )
        await self.sql.create_table(
            _BATCHES,
            {"id": "string", "vector_store_id": "string", "created_at": "integer", "cancelled": "boolean"},
            primary_key="id",
        )

    # -- files ------------------------------------------------------------------------------------

    async def add(self, record: IngestionRecord) -> None:
        row = record.model_dump(mode="json", exclude={"id", "object"})
        row.update(
            key=_key(record.vector_store_id, record.id),
            file_id=record.id,
            filename=record.filename,
            chunk_count=record.chunk_count,
            batch_id=record.batch_id,
        )
        await self.sql.insert(_FILES, row)

    async def get(self, vector_store_id: str, file_id: str) -> IngestionRecord | None:
        row = await self.sql.fetch_one(_FILES, {"key": _key(vector_store_id, file_id)})
        return None if row is None else _record(row)

    async def find(self, **where: Any) -> list[IngestionRecord]:
        """Records whose columns equal ``where`` (``vector_store_id``, ``file_id``, ``status``, ``batch_id``)."""
        return [_record(row) for row in await self.sql.fetch_all(_FILES, where)]

    async def update(self, vector_store_id: str, file_id: str, **values: Any) -> None:
        """Set columns of one record; a record deleted meanwhile stays deleted."""
        await self.sql.update(_FILES, values, {"key": _key(vector_store_id, file_id)})

    async def delete(self, vector_store_id: str, file_id: str) -> None:
        await self.sql.delete(_FILES, {"key": _key(vector_store_id, file_id)})

    async def delete_store(self, vector_store_id: str) -> None:
        await self.sql.delete(_FILES, {"vector_store_id": vector_store_id})
        await self.sql.delete(_BATCHES, {"vector_store_id": vector_store_id})

    # -- batches ----------------------------------------------------------------------------------

    async def add_batch(self, batch_id: str, vector_store_id: str) -> None:
        await self.sql.insert(
            _BATCHES,
            {"id": batch_id, "vector_store_id": vector_store_id, "created_at": int(time.time()), "cancelled": False},
        )

    async def get_batch(self, vector_store_id: str, batch_id: str) -> dict[str, Any] | None:
        return await self.sql.fetch_one(_BATCHES, {"id": batch_id, "vector_store_id": vector_store_id})

    async def cancel_batch(self, batch_id: str) -> None:
        await self.sql.update(_BATCHES, {"cancelled": True}, {"id": batch_id})


def _key(vector_store_id: str, file_id: str) -> str:
    return f"{vector_store_id}/{file_id}"


def _record(row: dict[str, Any]) -> IngestionRecord:
    return IngestionRecord.model_validate({**row, "id": row["file_id"], "attributes": row["attributes"] or {}})
