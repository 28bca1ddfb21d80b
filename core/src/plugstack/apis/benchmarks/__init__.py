"""Benchmarks: the routing table of the eval API, each a dataset and the scoring functions that grade it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plugstack.apis.definition import ApiDefinition, lazy_reexport

if TYPE_CHECKING:
    from plugstack.apis.benchmarks.table import BenchmarksTable
    from plugstack.apis.benchmarks.types import Benchmark, BenchmarkList, RegisterBenchmarkRequest

__all__ = ["API", "Benchmark", "BenchmarkList", "BenchmarksTable", "RegisterBenchmarkRequest"]

API = ApiDefinition(
    name="benchmarks",
    description="routing table of benchmarks (a dataset and scoring functions): register, list, get, unregister",
    table_of="eval",
    routes="plugstack.apis.benchmarks.routes:routes",
)

__getattr__ = lazy_reexport(__name__, "types", "table")
