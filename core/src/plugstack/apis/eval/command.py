"""``plugstack eval run``: a benchmark against a model in library mode, with a progress line and a result table.

The job is an ordinary eval job of the run config's SQL store, so a server started later
on the same state directory answers ``GET /v1/eval/benchmarks/{id}/jobs/{job_id}/result``
for it. Interrupting the command cancels the job (rather than leaving it to be resumed
by whichever stack starts next). The command enables the eval API when the run config's
``apis`` does not list it: asking for an eval says as much.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

from plugstack.distributions import resolve_run_config_path
from plugstack.errors import PlugstackError
from plugstack.run_config import load_run_config

if TYPE_CHECKING:
    from plugstack.apis.eval.types import EvaluateResponse, Job, JobProgress
    from plugstack.stack import Stack

__all__ = ["RESULT_HEADERS", "EvalRun", "ProgressLine", "result_rows", "run_benchmark", "summary"]

_POLL_SECONDS = 0.2
_BAR = 24


@dataclass(frozen=True)
class EvalRun:
    """What ``plugstack eval run`` was asked."""

    config: str
    benchmark_id: str
    model: str
    limit: int | None = None
    concurrency: int | None = None
    max_tokens: int | None = None
    temperature: float | None = None
    system_message: str | None = None

    def request(self) -> dict[str, Any]:
        sampling = {"max_tokens": self.max_tokens, "temperature": self.temperature}
        candidate: dict[str, Any] = {
            "type": "model",
            "model": self.model,
            "sampling_params": {key: value for key, value in sampling.items() if value is not None},
        }
        if self.system_message:
            candidate["system_message"] = {"role": "system", "content": self.system_message}
        config: dict[str, Any] = {"eval_candidate": candidate}
        if self.limit is not None:
            config["num_examples"] = self.limit
        return {"benchmark_config": config, "concurrency": self.concurrency}


def run_benchmark(run: EvalRun, err: TextIO) -> tuple[Job, EvaluateResponse]:
    """Run the benchmark to its end, printing its progress to ``err``; the completed job and its result."""
    return asyncio.run(_run(run, err))


async def _run(run: EvalRun, err: TextIO) -> tuple[Job, EvaluateResponse]:
    from plugstack.stack import Stack

    config = load_run_config(resolve_run_config_path(run.config))
    if config.apis and "eval" not in config.apis:
        config.apis.append("eval")
    async with await Stack.from_config(config) as stack:
        job = await stack.eval.run_eval(run.benchmark_id, **run.request())
        print(f"eval job {job.job_id}: benchmark {run.benchmark_id}, model {run.model}", file=err)
        job = await _follow(stack, job, ProgressLine(err, run.benchmark_id))
        if job.status != "completed":
            raise PlugstackError(f"eval job {job.job_id} {job.status}" + (f": {job.error}" if job.error else ""))
        result: EvaluateResponse = await stack.eval.job_result(run.benchmark_id, job.job_id)
    return job, result


async def _follow(stack: Stack, job: Job, progress: ProgressLine) -> Job:
    """Poll the job until it ends; cancel it if this command is interrupted."""
    try:
        while job.status in ("scheduled", "in_progress"):
            await asyncio.sleep(_POLL_SECONDS)
            job = await stack.eval.job_status(job.benchmark_id, job.job_id)
            progress.show(job.progress)
    except asyncio.CancelledError:  # Ctrl-C: asyncio.run cancels this task
        await stack.eval.job_cancel(job.benchmark_id, job.job_id)
        progress.end()
        raise
    progress.end()
    return job


class ProgressLine:
    """``capitals  12/30 [#########---------------]  40%  3.1 rows/s`` on one line, redrawn with ``\\r``.

    On a terminal it redraws at every poll; otherwise (a log file) it prints a line at each
    tenth of the rows, so that the log is readable.
    """

    def __init__(self, stream: TextIO, label: str) -> None:
        self.stream = stream
        self.label = label
        self.tty = stream.isatty()
        self.start = time.monotonic()
        self._shown: tuple[int, int] | None = None
        self._drawn = False

    def show(self, progress: JobProgress) -> None:
        if progress.total is None:
            return
        done, total = progress.done, max(progress.total, 1)
        tenth = (done * 10 // total, total)
        if (done, total) == self._shown or (not self.tty and tenth == self._shown):
            return
        self._shown = (done, total) if self.tty else tenth
        filled = done * _BAR // total
        rate = done / max(time.monotonic() - self.start, 1e-9)
        line = f"{self.label}  {done}/{total} [{'#' * filled}{'-' * (_BAR - filled)}] {done * 100 // total:3d}%  {rate:.1f} rows/s"
        if self.tty:
            self.stream.write("\r" + line)
            self._drawn = True
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def end(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False


RESULT_HEADERS = ["SCORING FUNCTION", "ACCURACY", "CORRECT", "SCORED", "SKIPPED"]


def result_rows(result: EvaluateResponse) -> list[list[str]]:
    """One row of :data:`RESULT_HEADERS` per scoring function."""
    rows = []
    for fn_id, scores in result.scores.items():
        aggregates = scores.aggregated_results
        accuracy = aggregates.get("accuracy")
        correct = aggregates.get("num_correct")
        rows.append(
            [
                fn_id,
                "-" if accuracy is None else f"{accuracy:.3f}",
                "-" if correct is None else f"{correct:g}",
                str(aggregates.get("num_scored", "-")),
                str(aggregates.get("num_skipped", "-")),
            ]
        )
    return rows


def summary(job: Job) -> str:
    """The benchmark, the model, the rows and the time they took."""
    seconds = (job.completed_at or 0.0) - (job.started_at or job.created_at)
    total = job.progress.total or 0
    rate = f" ({total / seconds:.1f} rows/s)" if seconds > 0 else ""
    return f"benchmark {job.benchmark_id}, model {job.model}: {total} rows in {seconds:.1f} s{rate}"
