"""The benchmarks table: built-in benchmarks, the run config's, and those registered through the API.

Like a :class:`~plugstack.routing_table.RoutingTable`, it merges three sources at start-up:
the built-in benchmarks (``capitals``), ``registered_resources.benchmarks`` and what was
registered before a restart (the kvstore). Benchmarks have no providers (the eval router
runs every one), so there is no provider to ask: instead ``check`` refuses a benchmark
whose dataset or scoring functions do not exist, when it is registered.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from plugstack.apis.benchmarks.types import SERVED_BY, Benchmark, RegisterBenchmarkRequest
from plugstack.errors import BadRequestError, ConfigError, PlugstackError
from plugstack.resource_table import ResourceTable
from plugstack.storage import KVStore
from plugstack.validation import bad_request_from, validate_request

__all__ = ["BenchmarksTable"]


class BenchmarksTable:
    """Benchmarks by id; ``check(benchmark)`` raises a 404 naming what the benchmark refers to that is missing."""

    def __init__(self, kvstore: KVStore, check: Callable[[Benchmark], None]) -> None:
        # one pseudo-provider, so that the table keeps what it loads back from the kvstore
        self.table = ResourceTable(
            "benchmark", Benchmark, {SERVED_BY: None}, kvstore, key_prefix="benchmarks/", id_param="benchmark_id"
        )
        self.check = check
        self._built_in: set[str] = set()

    async def initialize(self, built_in: Sequence[Benchmark], configured: Sequence[Mapping[str, Any]]) -> None:
        for benchmark in built_in:
            self.table.add(benchmark)
            self._built_in.add(benchmark.id)
        for i, raw in enumerate(configured):
            where = f"registered_resources.benchmarks[{i}]"
            try:
                benchmark = self._benchmark(RegisterBenchmarkRequest.model_validate(raw))
                self.check(benchmark)
            except ValidationError as exc:
                raise ConfigError(f"{where}: {bad_request_from(exc).message}") from None
            except PlugstackError as exc:  # a 400, or a 404 naming the missing dataset or function
                raise ConfigError(f"{where}: {exc.message}") from None
            if self.table.find(benchmark.id) is not None:
                raise ConfigError(f"{where} declares benchmark {benchmark.id!r}, which exists already")
            self.table.add(benchmark)
        for benchmark in await self.table.load():
            self._built_in.discard(benchmark.id)  # registered over a built-in before it was one: the user's

    def get(self, benchmark_id: str) -> Benchmark:
        """The benchmark; a 404 naming it if there is none."""
        return self.table.get(benchmark_id)

    def list(self) -> list[Benchmark]:
        return self.table.list()

    async def register(self, request: RegisterBenchmarkRequest | None = None, /, **params: Any) -> Benchmark:
        """Check the benchmark's dataset and scoring functions, then persist it; a 409 if its id is taken."""
        request = validate_request(RegisterBenchmarkRequest, request, params)
        benchmark = self._benchmark(request)
        self.check(benchmark)
        return await self.table.register(benchmark)

    async def unregister(self, benchmark_id: str) -> Benchmark:
        """Forget a registered benchmark; a built-in one (``capitals``) comes back at every start, so it is a 400."""
        benchmark = self.table.get(benchmark_id)
        if benchmark.id in self._built_in:
            raise BadRequestError(
                f"benchmark {benchmark.id!r} is built in; it cannot be unregistered", param="benchmark_id"
            )
        return await self.table.unregister(benchmark.id)

    @staticmethod
    def _benchmark(request: RegisterBenchmarkRequest) -> Benchmark:
        if request.provider_id not in (None, SERVED_BY):
            raise BadRequestError(
                f"provider_id must be {SERVED_BY!r} (or left out): the eval API runs every benchmark itself",
                param="provider_id",
            )
        return Benchmark(
            id=request.benchmark_id,
            provider_resource_id=request.provider_benchmark_id or request.benchmark_id,
            dataset_id=request.dataset_id,
            scoring_functions=request.scoring_functions,
            metadata=request.metadata,
        )
