"""Eval: benchmarks run against a model (or a Responses config) as background jobs, answers scored."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plugstack.apis.definition import ApiDefinition, lazy_reexport

if TYPE_CHECKING:
    from plugstack.apis.eval.types import (
        BenchmarkConfig,
        EvaluateResponse,
        EvaluateRowsRequest,
        Job,
        JobProgress,
        JobStatus,
        ModelCandidate,
        ResponsesCandidate,
        RunEvalRequest,
        SamplingParams,
        SystemMessage,
    )

__all__ = [
    "API",
    "BenchmarkConfig",
    "EvaluateResponse",
    "EvaluateRowsRequest",
    "Job",
    "JobProgress",
    "JobStatus",
    "ModelCandidate",
    "ResponsesCandidate",
    "RunEvalRequest",
    "SamplingParams",
    "SystemMessage",
]

API = ApiDefinition(
    name="eval",
    description="benchmarks run against a model or a Responses config as background jobs, the answers scored",
    router="plugstack.apis.eval.router:build_routers",
    routing_table="benchmarks",
    needs=("datasetio", "scoring", "inference"),
    optional_needs=("responses",),
    routes="plugstack.apis.eval.routes:routes",
    resources=("benchmarks",),
    standalone=True,
)

__getattr__ = lazy_reexport(__name__, "types")
