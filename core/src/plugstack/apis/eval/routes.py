"""``/v1/eval/benchmarks/{benchmark_id}/jobs`` and ``.../evaluations`` (Llama Stack's paths)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from plugstack.apis.eval.types import EvaluateResponse, EvaluateRowsRequest, Job, RunEvalRequest
from plugstack.server.routing import ApiRoute, json_response, read_body

if TYPE_CHECKING:
    from plugstack.stack import Stack

__all__ = ["routes"]


def routes(stack: Stack) -> list[ApiRoute]:
    async def run_eval(request: Request) -> Response:
        body = await read_body(request, RunEvalRequest)
        return json_response(await stack.eval.run_eval(request.path_params["benchmark_id"], body))

    async def job_status(request: Request) -> Response:
        params = request.path_params
        return json_response(await stack.eval.job_status(params["benchmark_id"], params["job_id"]))

    async def job_cancel(request: Request) -> Response:
        params = request.path_params
        return json_response(await stack.eval.job_cancel(params["benchmark_id"], params["job_id"]))

    async def job_result(request: Request) -> Response:
        params = request.path_params
        return json_response(await stack.eval.job_result(params["benchmark_id"], params["job_id"]))

    async def evaluate_rows(request: Request) -> Response:
        body = await read_body(request, EvaluateRowsRequest)
        return json_response(await stack.eval.evaluate_rows(request.path_params["benchmark_id"], body))

    tag = "eval"
    jobs = "/v1/eval/benchmarks/{benchmark_id}/jobs"
    return [
        ApiRoute(
            jobs,
            run_eval,
            method="POST",
            summary="Run a benchmark against a candidate as a background job",
            tag=tag,
            request_model=RunEvalRequest,
            response_model=Job,
        ),
        ApiRoute(
            jobs + "/{job_id}",
            job_status,
            method="GET",
            summary="An eval job's status and progress (rows answered of the total)",
            tag=tag,
            response_model=Job,
        ),
        ApiRoute(
            jobs + "/{job_id}",
            job_cancel,
            method="DELETE",
            summary="Cancel an eval job (answers the job, now cancelled)",
            tag=tag,
            response_model=Job,
        ),
        ApiRoute(
            jobs + "/{job_id}/result",
            job_result,
            method="GET",
            summary="A completed eval job's generations and scores",
            tag=tag,
            response_model=EvaluateResponse,
        ),
        ApiRoute(
            "/v1/eval/benchmarks/{benchmark_id}/evaluations",
            evaluate_rows,
            method="POST",
            summary="Answer and score rows given inline, at once",
            tag=tag,
            request_model=EvaluateRowsRequest,
            response_model=EvaluateResponse,
        ),
    ]
