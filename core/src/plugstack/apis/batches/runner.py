"""Running batches in the background: one task per batch, a bounded number of requests in flight.

A batch's task reads its input file (:mod:`.input`), moves it from ``validating`` to
``in_progress``, runs every line that has no stored result yet through the inference
router (never over HTTP), stores each result as it comes (:mod:`.records`), then
``finalizing``: it writes the output and error files through the files API, in input
order (:mod:`.output`), and ends ``completed``. A cancel stops it between requests (the
requests in flight are abandoned) and it ends ``cancelled`` with the results so far; past
``expires_at`` it ends ``expired`` alike; an input that cannot be a batch ends ``failed``
with ``errors``.

At most ``max_in_flight`` requests run at once across all batches, so that a large
batch cannot starve the upstream of interactive traffic. Stopping the stack cancels the
tasks without changing any status: the next start resumes each unfinished batch (a
``cancelling`` one is finished as cancelled), running only the lines not yet done.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator, Mapping
from typing import Any, Literal

from pydantic import BaseModel

from plugstack.apis.batches.input import InputLine, InvalidInput, parse_input
from plugstack.apis.batches.line_writer import LineWriter
from plugstack.apis.batches.output import answered, assemble, failed, refused
from plugstack.apis.batches.records import BatchRecords, LineResult
from plugstack.apis.batches.types import Batch, BatchError, BatchErrors, BatchRequestCounts, BatchStatus
from plugstack.apis.files.router import FilesRouter
from plugstack.apis.inference import ChatCompletionRequest
from plugstack.apis.inference.router import InferenceRouter
from plugstack.errors import NotFoundError, PlugstackError

__all__ = ["UNFINISHED_STATUSES", "BatchRunner"]

log = logging.getLogger("plugstack.batches")

UNFINISHED_STATUSES: tuple[BatchStatus, ...] = ("validating", "in_progress", "finalizing", "cancelling")
Outcome = Literal["completed", "cancelled", "expired"]
_UNFINISHED = {
    "cancelled": BatchError(code="batch_cancelled", message="the batch was cancelled before this request ran"),
    "expired": BatchError(code="batch_expired", message="the batch expired before this request ran"),
}


class BatchRunner:
    def __init__(
        self, records: BatchRecords, files: FilesRouter, inference: InferenceRouter, *, max_in_flight: int
    ) -> None:
        self.records = records
        self.files = files
        self.inference = inference
        self.transitions = asyncio.Lock()  # a status is read and changed by one coroutine at a time
        self._slots = asyncio.Semaphore(max_in_flight)
        self._workers = max_in_flight
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._cancels: dict[str, asyncio.Event] = {}
        self._progress: dict[str, BatchRequestCounts] = {}

    def start(self, batch_id: str) -> None:
        """Run (or resume, or finish cancelling) the batch, unless its task already runs."""
        if batch_id in self._tasks:
            return
        self._cancels[batch_id] = asyncio.Event()
        task = asyncio.create_task(self._run(batch_id), name=f"batch {batch_id}")
        self._tasks[batch_id] = task
        task.add_done_callback(lambda _: self._forget(batch_id))

    def request_cancel(self, batch_id: str) -> None:
        """Tell the batch's task to stop (its status is already ``cancelling``); start one if none runs."""
        event = self._cancels.get(batch_id)
        if event is not None:
            event.set()
        else:
            self.start(batch_id)

    def progress(self, batch_id: str) -> BatchRequestCounts | None:
        """The live counts of a running batch (the stored ones change only at status changes)."""
        counts = self._progress.get(batch_id)
        return None if counts is None else counts.model_copy()

    async def shutdown(self) -> None:
        """Stop every task; the batches keep their status and resume at the next start."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _forget(self, batch_id: str) -> None:
        self._tasks.pop(batch_id, None)
        self._cancels.pop(batch_id, None)
        self._progress.pop(batch_id, None)

    # -- one batch --------------------------------------------------------------------------

    async def _run(self, batch_id: str) -> None:
        try:
            batch = await self.records.get(batch_id)
            if batch is None:
                return
            lines = await self._input(batch)
            if lines is None:
                return  # failed, or cancelled before its input could be read
            if batch.status == "validating":
                batch = await self._set(batch, status="in_progress", in_progress_at=_now(), **_summary(lines))
            outcome: Outcome = "completed"
            if batch.status == "in_progress":
                outcome = await self._execute(batch, lines)
            await self._finish(batch, lines, outcome)
        except asyncio.CancelledError:
            raise  # the stack stops: the batch resumes at the next start
        except Exception as exc:
            log.exception("batch %s failed", batch_id)
            detail = exc.message if isinstance(exc, PlugstackError) else f"{type(exc).__name__}: {exc}"
            await self._fail(batch_id, BatchError(code="server_error", message=f"the batch could not run: {detail}"))

    async def _input(self, batch: Batch) -> list[InputLine] | None:
        """The input's lines; ``None`` when the input cannot be a batch (the batch is then over)."""
        try:
            content = await self.files.file_content(batch.input_file_id)
            return parse_input(content, batch.endpoint)
        except NotFoundError:
            errors = [BatchError(code="input_file_missing", message=f"input file {batch.input_file_id!r} is gone")]
        except InvalidInput as exc:
            errors = exc.errors
        if batch.status == "cancelling":
            await self._finish(batch, [], "cancelled")
        else:
            await self._fail(batch.id, *errors)
        return None

    async def _execute(self, batch: Batch, lines: list[InputLine]) -> Outcome:
        """Run the lines with no stored result yet; stop early on a cancel or at expiry."""
        done = {result.line: result for result in await self.records.lines(batch.id)}
        malformed = [refused(line, line.error) for line in lines if line.error is not None and line.line not in done]
        await self.records.add_lines(batch.id, malformed)
        done.update((result.line, result) for result in malformed)
        counts = BatchRequestCounts(total=len(lines))
        for result in done.values():
            counts.failed += result.failed
            counts.completed += not result.failed
        self._progress[batch.id] = counts
        todo = iter([line for line in lines if line.line not in done])
        cancel = self._cancels[batch.id]
        writer = LineWriter(self.records, batch.id)
        workers = [
            asyncio.create_task(self._work(batch, todo, counts, cancel, writer), name=f"batch {batch.id} worker")
            for _ in range(self._workers)
        ]
        cancelled = asyncio.create_task(cancel.wait())
        running = set(workers)
        try:
            while running and not cancelled.done():
                finished, _ = await asyncio.wait({*running, cancelled}, return_when=asyncio.FIRST_COMPLETED)
                for task in finished - {cancelled}:
                    running.discard(task)
                    task.result()  # a worker's error (the store failed): the batch cannot go on
        finally:
            for task in [*workers, cancelled]:
                task.cancel()
            await asyncio.gather(*workers, cancelled, return_exceptions=True)
            # also when the stack stops: what already answered is kept, not run again at the next start
            await writer.drain()
        if cancel.is_set():
            return "cancelled"
        return "expired" if _expired(batch) else "completed"

    async def _work(
        self,
        batch: Batch,
        todo: Iterator[InputLine],
        counts: BatchRequestCounts,
        cancel: asyncio.Event,
        writer: LineWriter,
    ) -> None:
        """Take lines from ``todo`` (shared by the batch's workers) until none is left."""
        for line in todo:
            async with self._slots:
                if cancel.is_set() or _expired(batch) or writer.error is not None:
                    break
                result = await self._request(batch, line)
            writer.add(result)
            counts.failed += result.failed
            counts.completed += not result.failed
        if writer.error is not None:
            raise writer.error

    async def _request(self, batch: Batch, line: InputLine) -> LineResult:
        try:
            if isinstance(line.request, ChatCompletionRequest):
                response: Any = await self.inference.chat_completion(line.request)
            else:
                response = await self.inference.embeddings(line.request)
        except Exception as exc:
            return failed(line, exc)
        assert isinstance(response, BaseModel)  # streaming is refused when the input is read
        return answered(line, response)

    async def _finish(self, batch: Batch, lines: list[InputLine], outcome: Outcome) -> None:
        """Write the output and error files from the stored results; end with ``outcome``."""
        async with self.transitions:
            current = await self.records.get(batch.id)
            assert current is not None
            if current.status == "cancelling":
                outcome = "cancelled"  # asked while the last requests finished
            elif outcome == "completed" and current.status != "finalizing":
                await self.records.update(batch.id, {"status": "finalizing", "finalizing_at": _now()})
        done = {result.line: result for result in await self.records.lines(batch.id)}
        files = assemble(lines, done, _UNFINISHED.get(outcome))
        values: dict[str, Any] = {"request_counts": files.counts, "status": outcome, f"{outcome}_at": _now()}
        if files.counts.completed:
            values["usage"] = files.usage
        for kind, content in (("output", files.output), ("error", files.errors)):
            column = f"{kind}_file_id"
            existing = getattr(current, column)
            if content and existing is None:
                # recorded at once: a restart during finalizing reuses the file instead of writing another
                file = await self.files.create_file(content, f"batch_{batch.id}_{kind}.jsonl", "batch_output")
                await self.records.update(batch.id, {column: file.id})
        await self.records.update(batch.id, values)
        log.info(
            "batch %s %s: %d completed, %d failed of %d",
            batch.id,
            outcome,
            files.counts.completed,
            files.counts.failed,
            files.counts.total,
        )

    async def _fail(self, batch_id: str, *errors: BatchError) -> None:
        await self.records.update(
            batch_id, {"status": "failed", "failed_at": _now(), "errors": BatchErrors(data=list(errors))}
        )

    async def _set(self, batch: Batch, **values: Any) -> Batch:
        """Change the batch's status, unless a cancel came first (then it stays ``cancelling``)."""
        async with self.transitions:
            current = await self.records.get(batch.id)
            assert current is not None
            if current.status == "cancelling":
                values.pop("status", None)
                values.pop("in_progress_at", None)
            await self.records.update(batch.id, values)
            updated = await self.records.get(batch.id)
        assert updated is not None
        return updated


def _summary(lines: list[InputLine]) -> Mapping[str, Any]:
    """What the validated input says about the batch: its size, and its model when it has one."""
    models = {line.request.model for line in lines if line.request is not None}
    return {
        "request_counts": BatchRequestCounts(total=len(lines)),
        "model": models.pop() if len(models) == 1 else None,
    }


def _expired(batch: Batch) -> bool:
    return batch.expires_at is not None and time.time() >= batch.expires_at


def _now() -> int:
    return int(time.time())
