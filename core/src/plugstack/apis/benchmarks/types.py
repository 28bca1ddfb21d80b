"""Benchmarks, in Llama Stack's shape: a dataset id, the scoring functions that grade it, metadata."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["SERVED_BY", "Benchmark", "BenchmarkList", "RegisterBenchmarkRequest"]

SERVED_BY = "eval"
"""Every benchmark's ``provider_id``: benchmarks have no providers, the eval router runs them all."""


class Benchmark(BaseModel):
    """A benchmark as ``GET /v1/eval/benchmarks`` lists it.

    Its rows are the dataset's (read through datasetio); each row's generated answer is
    graded by every function of ``scoring_functions``.
    """

    model_config = ConfigDict(extra="allow")

    id: str
    object: Literal["benchmark"] = "benchmark"
    provider_id: str = SERVED_BY
    provider_resource_id: str = ""
    dataset_id: str
    scoring_functions: list[str]
    metadata: dict[str, Any] = Field(default_factory=dict)


class BenchmarkList(BaseModel):
    object: Literal["list"] = "list"
    data: list[Benchmark]


class RegisterBenchmarkRequest(BaseModel):
    """``POST /v1/eval/benchmarks``: the dataset and the scoring functions must exist (404 otherwise)."""

    model_config = ConfigDict(extra="forbid")

    benchmark_id: str = Field(min_length=1, pattern=r"^[^/]+$")
    dataset_id: str = Field(min_length=1)
    scoring_functions: list[str] = Field(min_length=1)
    metadata: dict[str, Any] = Field(default_factory=dict)
    provider_id: str | None = None  # Llama Stack's; there is no provider to choose
    provider_benchmark_id: str | None = None
