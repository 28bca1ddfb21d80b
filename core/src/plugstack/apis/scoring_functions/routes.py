"""``/v1/scoring-functions``: list, get, register and unregister scoring functions (the routing table)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from plugstack.apis.scoring_functions.types import RegisterScoringFunctionRequest, ScoringFn, ScoringFnList
from plugstack.server.routing import ApiRoute, json_response, read_body

if TYPE_CHECKING:
    from plugstack.stack import Stack

__all__ = ["routes"]


def routes(stack: Stack) -> list[ApiRoute]:
    async def list_scoring_functions(request: Request) -> Response:
        return json_response(ScoringFnList(data=stack.scoring_functions.list()))

    async def get_scoring_function(request: Request) -> Response:
        return json_response(stack.scoring_functions.get(request.path_params["scoring_fn_id"]))

    async def register_scoring_function(request: Request) -> Response:
        body = await read_body(request, RegisterScoringFunctionRequest)
        return json_response(await stack.scoring_functions.register(body))

    async def unregister_scoring_function(request: Request) -> Response:
        return json_response(await stack.scoring_functions.unregister(request.path_params["scoring_fn_id"]))

    return [
        ApiRoute(
            "/v1/scoring-functions",
            list_scoring_functions,
            method="GET",
            summary="List scoring functions",
            tag="scoring",
            response_model=ScoringFnList,
        ),
        ApiRoute(
            "/v1/scoring-functions",
            register_scoring_function,
            method="POST",
            summary="Register a scoring function: a provider's function under an id, with params of its own",
            tag="scoring",
            request_model=RegisterScoringFunctionRequest,
            response_model=ScoringFn,
        ),
        ApiRoute(
            "/v1/scoring-functions/{scoring_fn_id:path}",
            get_scoring_function,
            method="GET",
            summary="Retrieve a scoring function",
            tag="scoring",
            response_model=ScoringFn,
        ),
        ApiRoute(
            "/v1/scoring-functions/{scoring_fn_id:path}",
            unregister_scoring_function,
            method="DELETE",
            summary="Unregister a scoring function registered through the API or run config (answers it)",
            tag="scoring",
            response_model=ScoringFn,
        ),
    ]
