"""``/v1/scoring/score`` and ``/v1/scoring/score-batch`` (Llama Stack's)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from plugstack.apis.scoring.types import ScoreBatchRequest, ScoreBatchResponse, ScoreRequest, ScoreResponse
from plugstack.server.routing import ApiRoute, json_response, read_body

if TYPE_CHECKING:
    from plugstack.stack import Stack

__all__ = ["routes"]


def routes(stack: Stack) -> list[ApiRoute]:
    async def score(request: Request) -> Response:
        body = await read_body(request, ScoreRequest)
        return json_response(await stack.scoring.score(body))

    async def score_batch(request: Request) -> Response:
        body = await read_body(request, ScoreBatchRequest)
        return json_response(await stack.scoring.score_batch(body))

    return [
        ApiRoute(
            "/v1/scoring/score",
            score,
            method="POST",
            summary="Score rows with scoring functions: per-row scores (or a row's error) and aggregates",
            tag="scoring",
            request_model=ScoreRequest,
            response_model=ScoreResponse,
        ),
        ApiRoute(
            "/v1/scoring/score-batch",
            score_batch,
            method="POST",
            summary="Score every row of a dataset (read through datasetio) with scoring functions",
            tag="scoring",
            request_model=ScoreBatchRequest,
            response_model=ScoreBatchResponse,
        ),
    ]
