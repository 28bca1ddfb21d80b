"""The eval router: what ``stack.eval`` is, in library and server mode alike.

It is the eval API's implementation (a standalone API: no providers). It owns the
benchmarks table (``stack.benchmarks``), runs benchmarks as background jobs over the
routers it needs: rows from datasetio, answers from the candidate (inference, or the
Responses API), grades from scoring. Jobs are rows of the SQL store (:mod:`.records`),
run by :mod:`.runner`; at start-up every job a stop interrupted is resumed.
"""

from __future__ import annotations

import logging
import secrets
import time
from typing import TYPE_CHECKING, Any

from plugstack.apis.benchmarks.table import BenchmarksTable
from plugstack.apis.benchmarks.types import Benchmark, BenchmarkList, RegisterBenchmarkRequest
from plugstack.apis.definition import RouterContext
from plugstack.apis.eval.builtin import built_in_benchmarks
from plugstack.apis.eval.evaluator import Evaluator, Generation
from plugstack.apis.eval.records import JobRecord, JobRecords
from plugstack.apis.eval.runner import UNFINISHED, JobRunner
from plugstack.apis.eval.types import (
    MAX_CONCURRENCY,
    BenchmarkConfig,
    EvaluateResponse,
    EvaluateRowsRequest,
    Job,
    RunEvalRequest,
)
from plugstack.apis.scoring.types import ScoringResult
from plugstack.errors import ConflictError, NotFoundError
from plugstack.storage import SqlStore
from plugstack.validation import validate_request

if TYPE_CHECKING:
    from plugstack.apis.datasetio.router import DatasetIORouter
    from plugstack.apis.datasets.table import DatasetsTable
    from plugstack.apis.scoring_functions.table import ScoringFunctionsTable

__all__ = ["DEFAULT_CONCURRENCY", "EvalRouter", "build_routers"]

log = logging.getLogger("plugstack.eval")

DEFAULT_CONCURRENCY = 4
"""Rows a job answers at once unless its request says otherwise."""


async def build_routers(context: RouterContext) -> dict[str, object]:
    """The eval router and the benchmarks table; it resumes the jobs a stop interrupted, and stops with the stack."""
    datasets: DatasetsTable = context.routers["datasets"]
    functions: ScoringFunctionsTable = context.routers["scoring_functions"]

    def check(benchmark: Benchmark) -> None:
        _check_dataset(benchmark.dataset_id, datasets)
        _check_functions(benchmark.scoring_functions, functions)

    benchmarks = BenchmarksTable(context.kvstore, check)
    await benchmarks.initialize(await built_in_benchmarks(datasets, functions), context.resources["benchmarks"])
    evaluator = Evaluator(
        inference=context.routers["inference"],
        models=context.routers["models"],
        scoring=context.routers["scoring"],
        responses=context.routers.get("responses"),
        max_in_flight=MAX_CONCURRENCY,
    )
    router = EvalRouter(
        await context.sqlstore(), benchmarks, context.routers["datasetio"], datasets, functions, evaluator
    )
    await router.initialize()
    context.on_shutdown(router.shutdown)
    return {"eval": router, "benchmarks": benchmarks}


def _check_dataset(dataset_id: str, datasets: DatasetsTable) -> None:
    if datasets.table.find(dataset_id) is None:
        raise NotFoundError(f"dataset {dataset_id!r} not found", param="dataset_id")


def _check_functions(function_ids: list[str], functions: ScoringFunctionsTable) -> None:
    for fn in function_ids:
        if functions.table.find(fn) is None:
            known = ", ".join(f.id for f in functions.list()) or "none"
            raise NotFoundError(
                f"scoring function {fn!r} not found; scoring functions: {known}", param="scoring_functions"
            )


class EvalRouter:
    def __init__(
        self,
        sqlstore: SqlStore,
        benchmarks: BenchmarksTable,
        datasetio: DatasetIORouter,
        datasets: DatasetsTable,
        functions: ScoringFunctionsTable,
        evaluator: Evaluator,
    ) -> None:
        self.benchmarks = benchmarks
        self.datasets = datasets
        self.functions = functions
        self.evaluator = evaluator
        self.records = JobRecords(sqlstore)
        self.runner = JobRunner(self.records, benchmarks, datasetio, evaluator)

    async def initialize(self) -> None:
        """Create the tables; resume every job a stop left ``scheduled`` or ``in_progress``."""
        await self.records.initialize()
        for status in UNFINISHED:
            for record in await self.records.find(status):
                log.info("resuming eval job %s of benchmark %s", record.job_id, record.benchmark_id)
                self.runner.start(record.job_id)

    async def shutdown(self) -> None:
        await self.runner.shutdown()

    # -- benchmarks (Llama Stack's Benchmarks API) ----------------------------------------------

    async def list_benchmarks(self) -> BenchmarkList:
        return BenchmarkList(data=self.benchmarks.list())

    async def get_benchmark(self, benchmark_id: str) -> Benchmark:
        return self.benchmarks.get(benchmark_id)

    async def register_benchmark(self, request: RegisterBenchmarkRequest | None = None, /, **params: Any) -> Benchmark:
        return await self.benchmarks.register(request, **params)

    async def unregister_benchmark(self, benchmark_id: str) -> Benchmark:
        return await self.benchmarks.unregister(benchmark_id)

    # -- jobs -----------------------------------------------------------------------------------

    async def run_eval(self, benchmark_id: str, request: RunEvalRequest | None = None, /, **params: Any) -> Job:
        """Start a background job over the benchmark's rows; ``job_status`` follows it."""
        request = validate_request(RunEvalRequest, request, params)
        benchmark = self.benchmarks.get(benchmark_id)
        self._check_ready(benchmark, request.benchmark_config)
        candidate = request.benchmark_config.eval_candidate
        job_id = f"evaljob_{time.time_ns():016x}{secrets.token_hex(6)}"  # sorts by creation time
        values = {
            "job_id": job_id,
            "benchmark_id": benchmark.id,
            "status": "scheduled",
            "model": candidate.model,
            "config": request.benchmark_config.model_dump(mode="json", exclude_unset=True),
            "concurrency": request.concurrency or DEFAULT_CONCURRENCY,
            "created_at": time.time(),
        }
        await self.records.add(values)
        self.runner.start(job_id)
        return await self.job_status(benchmark.id, job_id)

    async def job_status(self, benchmark_id: str, job_id: str) -> Job:
        record = await self._record(benchmark_id, job_id)
        live = self.runner.progress(job_id)
        if live is not None:
            return record.job(live.done)
        if record.status == "completed":
            return record.job(record.total or 0)
        done = len(await self.records.generations(job_id))
        return record.job(done)

    async def job_cancel(self, benchmark_id: str, job_id: str) -> Job:
        """Stop a ``scheduled`` or ``in_progress`` job: ``cancelled`` at once, its answers so far kept."""
        async with self.runner.transitions:
            record = await self._record(benchmark_id, job_id)
            if record.status not in UNFINISHED:
                raise ConflictError(
                    f"eval job {job_id!r} is {record.status}; only a scheduled or in_progress job can be cancelled",
                    param="job_id",
                )
            await self.records.update(job_id, {"status": "cancelled", "completed_at": time.time()})
        self.runner.stop(job_id)
        return await self.job_status(benchmark_id, job_id)

    async def job_result(self, benchmark_id: str, job_id: str) -> EvaluateResponse:
        """A completed job's generations (in row order) and scores; a 409 saying the status otherwise."""
        record = await self._record(benchmark_id, job_id)
        if record.status != "completed" or record.scores is None:
            reason = f": {record.row['error']}" if record.row.get("error") else ""
            raise ConflictError(
                f"eval job {job_id!r} is {record.status}{reason}; its result is ready once it is completed",
                param="job_id",
            )
        generations = await self.records.generations(job_id)
        return EvaluateResponse(
            generations=[generations[index] for index in sorted(generations)],
            scores={fn: ScoringResult.model_validate(result) for fn, result in record.scores.items()},
        )

    async def evaluate_rows(
        self, benchmark_id: str, request: EvaluateRowsRequest | None = None, /, **params: Any
    ) -> EvaluateResponse:
        """Answer and score ``input_rows`` now, with the benchmark's scoring functions unless others are named."""
        request = validate_request(EvaluateRowsRequest, request, params)
        benchmark = self.benchmarks.get(benchmark_id)
        functions = request.scoring_functions or benchmark.scoring_functions
        _check_functions(functions, self.functions)
        self.evaluator.check(request.benchmark_config)
        rows = request.input_rows
        generations: list[dict[str, Any]] = [{} for _ in rows]

        async def keep(index: int, generation: Generation) -> None:
            generations[index] = generation

        await self.evaluator.generate_rows(request.benchmark_config, rows, range(len(rows)), DEFAULT_CONCURRENCY, keep)
        scores = await self.evaluator.score(rows, generations, functions, request.benchmark_config)
        return EvaluateResponse(generations=generations, scores=scores)

    def _check_ready(self, benchmark: Benchmark, config: BenchmarkConfig) -> None:
        """A 404 now for what would fail every row later: the dataset, a scoring function, the model."""
        _check_dataset(benchmark.dataset_id, self.datasets)
        _check_functions(benchmark.scoring_functions, self.functions)
        self.evaluator.check(config)

    async def _record(self, benchmark_id: str, job_id: str) -> JobRecord:
        """The job; it outlives its benchmark, so that a job failed for want of one can still be read."""
        record = await self.records.get(job_id)
        if record is None or record.benchmark_id != benchmark_id:
            self.benchmarks.get(benchmark_id)  # a 404 naming the benchmark, when that is what is unknown
            raise NotFoundError(f"eval job {job_id!r} of benchmark {benchmark_id!r} not found", param="job_id")
        return record
