"""What the batches router remembers, in the stack's SQL store (``storage.sqlstore``).

Two tables: one row per batch (its OpenAI object, column by column, so that each change
writes only the columns it changes), and one row per finished input line, written as
each request completes: its output line (or error line). The line rows are the truth
about progress: after a restart, a batch runs exactly the lines that have no row yet,
and its output file is assembled from the rows, in input order. So a crash loses at
most the requests that were in flight, and runs each of them again, once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from plugstack.apis.batches.types import Batch, BatchStatus
from plugstack.storage import SqlStore
from plugstack.storage.sqlstore import ColumnType

__all__ = ["BatchRecords", "LineResult"]

_BATCHES = "plugstack_batches"
_LINES = "plugstack_batch_lines"
_BATCH_COLUMNS: dict[str, ColumnType] = {
    "id": "string",
    "endpoint": "string",
    "errors": "json",
    "input_file_id": "string",
    "completion_window": "string",
    "status": "string",
    "output_file_id": "string",
    "error_file_id": "string",
    "created_at": "integer",
    "in_progress_at": "integer",
    "expires_at": "integer",
    "finalizing_at": "integer",
    "completed_at": "integer",
    "failed_at": "integer",
    "expired_at": "integer",
    "cancelling_at": "integer",
    "cancelled_at": "integer",
    "request_counts": "json",
    "metadata": "json",
    "model": "text",
    "usage": "json",
}


@dataclass(frozen=True)
class LineResult:
    """A finished line: ``output`` is its line of the output file, or of the error file when ``failed``."""

    line: int
    custom_id: str | None
    failed: bool
    output: dict[str, Any]


class BatchRecords:
    def __init__(self, sql: SqlStore) -> None:
        self.sql = sql

    async def initialize(self) -> None:
        await self.sql.create_table(_BATCHES, _BATCH_COLUMNS, primary_key="id")
        await self.sql.create_table(
            _LINES,
            {
                "key": "string",
                "batch_id": "string",
                "line": "integer",
                "custom_id": "text",
                "failed": "boolean",
                "output": "json",
            },
            primary_key="key",
        )

    # -- batches ----------------------------------------------------------------------------------

    async def add(self, batch: Batch) -> None:
        await self.sql.insert(_BATCHES, batch.model_dump(mode="json", exclude={"object"}))

    async def get(self, batch_id: str) -> Batch | None:
        row = await self.sql.fetch_one(_BATCHES, {"id": batch_id})
        return None if row is None else Batch.model_validate(row)

    async def find(self, status: BatchStatus | None = None) -> list[Batch]:
        rows = await self.sql.fetch_all(_BATCHES, {"status": status} if status else None, order_by="created_at")
        return [Batch.model_validate(row) for row in rows]

    async def update(self, batch_id: str, values: Mapping[str, Any]) -> None:
        """Set some fields of the batch (values as :class:`Batch` takes them), leaving the others."""
        await self.sql.update(_BATCHES, _columns(values), {"id": batch_id})

    # -- lines ------------------------------------------------------------------------------------

    async def add_lines(self, batch_id: str, results: Sequence[LineResult]) -> None:
        """Store finished lines, all in one transaction."""
        await self.sql.insert_many(
            _LINES,
            [
                {
                    "key": f"{batch_id}/{result.line}",
                    "batch_id": batch_id,
                    "line": result.line,
                    "custom_id": result.custom_id,
                    "failed": result.failed,
                    "output": result.output,
                }
                for result in results
            ],
        )

    async def lines(self, batch_id: str) -> list[LineResult]:
        """The batch's finished lines, in input order."""
        rows = await self.sql.fetch_all(_LINES, {"batch_id": batch_id}, order_by="line")
        return [LineResult(row["line"], row["custom_id"], bool(row["failed"]), row["output"]) for row in rows]


def _columns(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` as the columns store them: nested models as JSON-ready dicts."""
    return {
        key: value.model_dump(mode="json") if isinstance(value, BaseModel) else value for key, value in values.items()
    }
