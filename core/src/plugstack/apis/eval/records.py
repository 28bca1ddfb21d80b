"""What the eval router remembers, in the stack's SQL store (``storage.sqlstore``).

Two tables: one row per job (its status, config, progress facts and, once completed, its
scores), and one row per answered dataset row, written as each generation completes.
The generation rows are the truth about progress: a job resumed after a restart asks the
candidate only the rows that have none yet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from plugstack.apis.eval.evaluator import Generation
from plugstack.apis.eval.types import Job, JobProgress, JobStatus
from plugstack.storage import SqlStore
from plugstack.storage.sqlstore import ColumnType

__all__ = ["JobRecord", "JobRecords"]

_JOBS = "plugstack_eval_jobs"
_GENERATIONS = "plugstack_eval_generations"
_JOB_COLUMNS: dict[str, ColumnType] = {
    "job_id": "string",
    "benchmark_id": "string",
    "status": "string",
    "model": "text",
    "config": "json",
    "concurrency": "integer",
    "created_at": "float",
    "started_at": "float",
    "completed_at": "float",
    "total": "integer",
    "error": "text",
    "scores": "json",
}


class JobRecord:
    """A stored job: its columns, and the :class:`Job` they make."""

    def __init__(self, row: Mapping[str, Any]) -> None:
        self.job_id: str = row["job_id"]
        self.benchmark_id: str = row["benchmark_id"]
        self.status: JobStatus = row["status"]
        self.config: dict[str, Any] = row["config"]
        self.concurrency: int = row["concurrency"]
        self.total: int | None = row.get("total")
        self.scores: dict[str, Any] | None = row.get("scores")
        self.row = dict(row)

    def job(self, done: int) -> Job:
        return Job(
            job_id=self.job_id,
            benchmark_id=self.benchmark_id,
            status=self.status,
            model=self.row["model"],
            created_at=self.row["created_at"],
            started_at=self.row.get("started_at"),
            completed_at=self.row.get("completed_at"),
            progress=JobProgress(done=done, total=self.total),
            error=self.row.get("error"),
        )


class JobRecords:
    def __init__(self, sql: SqlStore) -> None:
        self.sql = sql

    async def initialize(self) -> None:
        await self.sql.create_table(_JOBS, _JOB_COLUMNS, primary_key="job_id")
        await self.sql.create_table(
            _GENERATIONS,
            {"key": "string", "job_id": "string", "row_index": "integer", "generation": "json"},
            primary_key="key",
        )

    async def add(self, values: Mapping[str, Any]) -> None:
        await self.sql.insert(_JOBS, {column: values.get(column) for column in _JOB_COLUMNS})

    async def get(self, job_id: str) -> JobRecord | None:
        row = await self.sql.fetch_one(_JOBS, {"job_id": job_id})
        return None if row is None else JobRecord(row)

    async def find(self, status: JobStatus) -> list[JobRecord]:
        return [JobRecord(row) for row in await self.sql.fetch_all(_JOBS, {"status": status}, order_by="created_at")]

    async def update(self, job_id: str, values: Mapping[str, Any]) -> None:
        await self.sql.update(_JOBS, values, {"job_id": job_id})

    async def add_generations(self, job_id: str, generations: Sequence[tuple[int, Generation]]) -> None:
        """Store answered rows, all in one transaction."""
        await self.sql.insert_many(
            _GENERATIONS,
            [
                {"key": f"{job_id}/{index}", "job_id": job_id, "row_index": index, "generation": generation}
                for index, generation in generations
            ],
        )

    async def generations(self, job_id: str) -> dict[int, Generation]:
        """The job's answered rows, by row index."""
        rows = await self.sql.fetch_all(_GENERATIONS, {"job_id": job_id}, order_by="row_index")
        return {row["row_index"]: row["generation"] for row in rows}
