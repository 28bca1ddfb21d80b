"""``JobRunner``: runs eval jobs in the background, one asyncio task each.

A job reads its benchmark's rows through datasetio (the first ``num_examples``), asks the
candidate each row that has no stored generation yet (``concurrency`` rows at once, and
at most the evaluator's bound over every job), stores each generation as it completes,
then scores them all and stores the scores. When the stack stops, the tasks are
cancelled and the jobs keep their status; at the next start every ``scheduled`` or
``in_progress`` job is resumed from the rows not yet answered, or fails saying why it
cannot be (its benchmark is gone, its dataset changed size): none stays unfinished.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from plugstack.apis.benchmarks.table import BenchmarksTable
from plugstack.apis.eval.evaluator import Evaluator, Generation
from plugstack.apis.eval.records import JobRecord, JobRecords
from plugstack.apis.eval.types import BenchmarkConfig, JobProgress, JobStatus
from plugstack.errors import PlugstackError
from plugstack.storage.group_commit import GroupCommit

if TYPE_CHECKING:
    from plugstack.apis.datasetio.router import DatasetIORouter

__all__ = ["UNFINISHED", "JobRunner"]

log = logging.getLogger("plugstack.eval")

UNFINISHED: tuple[JobStatus, ...] = ("scheduled", "in_progress")


class JobFailed(Exception):
    """The job cannot go on; the message is the job's ``error``."""


class JobRunner:
    def __init__(
        self, records: JobRecords, benchmarks: BenchmarksTable, datasetio: DatasetIORouter, evaluator: Evaluator
    ) -> None:
        self.records = records
        self.benchmarks = benchmarks
        self.datasetio = datasetio
        self.evaluator = evaluator
        self.transitions = asyncio.Lock()  # a status is read and changed by one coroutine at a time
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._progress: dict[str, JobProgress] = {}

    def start(self, job_id: str) -> None:
        """Run (or resume) the job, unless its task already runs."""
        if job_id in self._tasks:
            return
        task = asyncio.create_task(self._run(job_id), name=f"eval job {job_id}")
        self._tasks[job_id] = task
        task.add_done_callback(lambda _: self._forget(job_id))

    def stop(self, job_id: str) -> None:
        """Cancel the job's task (its status is already ``cancelled``)."""
        task = self._tasks.get(job_id)
        if task is not None:
            task.cancel()

    def progress(self, job_id: str) -> JobProgress | None:
        """The live progress of a running job."""
        progress = self._progress.get(job_id)
        return None if progress is None else progress.model_copy()

    async def shutdown(self) -> None:
        """Stop every task; the jobs keep their status and resume at the next start."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _forget(self, job_id: str) -> None:
        self._tasks.pop(job_id, None)
        self._progress.pop(job_id, None)

    # -- one job ----------------------------------------------------------------------------

    async def _run(self, job_id: str) -> None:
        try:
            record = await self.records.get(job_id)
            if record is None or record.status not in UNFINISHED:
                return
            await self._execute(record)
        except asyncio.CancelledError:
            raise  # cancelled (its status says so), or the stack stops: it resumes at the next start
        except JobFailed as exc:
            await self._fail(job_id, str(exc))
        except PlugstackError as exc:  # the candidate or a router refused: the message says why
            await self._fail(job_id, exc.message)
        except Exception as exc:
            log.exception("eval job %s failed", job_id)
            await self._fail(job_id, f"{type(exc).__name__}: {exc}")

    async def _execute(self, record: JobRecord) -> None:
        config = BenchmarkConfig.model_validate(record.config)
        try:
            benchmark = self.benchmarks.get(record.benchmark_id)
            self.evaluator.check(config)
        except PlugstackError as exc:
            raise JobFailed(f"the job cannot run: {exc.message}") from None
        rows = [row async for row in self._rows(benchmark.dataset_id, config.num_examples)]
        if not rows:
            raise JobFailed(f"dataset {benchmark.dataset_id!r} has no rows")
        if record.total is not None and record.total != len(rows):
            raise JobFailed(
                f"dataset {benchmark.dataset_id!r} changed: the job started with {record.total} rows, "
                f"it now gives {len(rows)}; start a new job"
            )
        started = {"status": "in_progress", "total": len(rows)}
        if record.row.get("started_at") is None:  # not when resumed: it started before the restart
            started["started_at"] = time.time()
        if not await self._set(record.job_id, **started):
            return
        done = await self.records.generations(record.job_id)
        progress = JobProgress(done=len(done), total=len(rows))
        self._progress[record.job_id] = progress
        todo = [index for index in range(len(rows)) if index not in done]
        commits: GroupCommit[tuple[int, Generation]] = GroupCommit(
            lambda generations: self.records.add_generations(record.job_id, generations)
        )

        async def keep(index: int, generation: Generation) -> None:
            await commits.write((index, generation))
            done[index] = generation
            progress.done += 1

        try:
            await self.evaluator.generate_rows(config, rows, todo, record.concurrency, keep)
        finally:
            await commits.drain()  # also when stopped: what was answered is kept, not asked again
        generations = [done[index] for index in range(len(rows))]
        scores = await self.evaluator.score(rows, generations, benchmark.scoring_functions, config)
        await self._set(
            record.job_id,
            status="completed",
            completed_at=time.time(),
            scores={fn: result.model_dump(mode="json") for fn, result in scores.items()},
        )
        log.info("eval job %s completed: %d rows of benchmark %s", record.job_id, len(rows), benchmark.id)

    async def _rows(self, dataset_id: str, limit: int | None) -> AsyncIterator[dict[str, Any]]:
        count = 0
        async for row in self.datasetio.rows(dataset_id):
            if limit is not None and count >= limit:
                return
            count += 1
            yield row

    async def _set(self, job_id: str, **values: Any) -> bool:
        """Change the job, unless it was cancelled (or failed) meanwhile; say whether it changed."""
        async with self.transitions:
            current = await self.records.get(job_id)
            if current is None or current.status not in UNFINISHED:
                return False
            await self.records.update(job_id, values)
            return True

    async def _fail(self, job_id: str, reason: str) -> None:
        log.warning("eval job %s failed: %s", job_id, reason)
        await self._set(job_id, status="failed", completed_at=time.time(), error=reason)
