"""``/v1/eval/benchmarks``: list, get, register and unregister benchmarks (Llama Stack's paths)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from plugstack.apis.benchmarks.types import Benchmark, BenchmarkList, RegisterBenchmarkRequest
from plugstack.server.routing import ApiRoute, json_response, read_body

if TYPE_CHECKING:
    from plugstack.stack import Stack

__all__ = ["routes"]


def routes(stack: Stack) -> list[ApiRoute]:
    # through the eval router, which owns the table: a stack without the eval API says so
    async def list_benchmarks(request: Request) -> Response:
        return json_response(await stack.eval.list_benchmarks())

    async def register_benchmark(request: Request) -> Response:
        body = await read_body(request, RegisterBenchmarkRequest)
        return json_response(await stack.eval.register_benchmark(body))

    async def get_benchmark(request: Request) -> Response:
        return json_response(await stack.eval.get_benchmark(request.path_params["benchmark_id"]))

    async def unregister_benchmark(request: Request) -> Response:
        return json_response(await stack.eval.unregister_benchmark(request.path_params["benchmark_id"]))

    tag = "eval"
    return [
        ApiRoute(
            "/v1/eval/benchmarks",
            list_benchmarks,
            method="GET",
            summary="List benchmarks",
            tag=tag,
            response_model=BenchmarkList,
        ),
        ApiRoute(
            "/v1/eval/benchmarks",
            register_benchmark,
            method="POST",
            summary="Register a benchmark: a dataset and the scoring functions that grade its rows",
            tag=tag,
            request_model=RegisterBenchmarkRequest,
            response_model=Benchmark,
        ),
        ApiRoute(
            "/v1/eval/benchmarks/{benchmark_id}",
            get_benchmark,
            method="GET",
            summary="Retrieve a benchmark",
            tag=tag,
            response_model=Benchmark,
        ),
        ApiRoute(
            "/v1/eval/benchmarks/{benchmark_id}",
            unregister_benchmark,
            method="DELETE",
            summary="Unregister a benchmark registered through the API or run config (answers it)",
            tag=tag,
            response_model=Benchmark,
        ),
    ]
