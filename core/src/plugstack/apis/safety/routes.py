"""``/v1/safety/run-shield`` (Llama Stack's) and ``/v1/moderations`` (OpenAI's)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from plugstack.apis.safety.types import ModerationRequest, ModerationResponse, RunShieldRequest, RunShieldResponse
from plugstack.server.routing import ApiRoute, json_response, read_body

if TYPE_CHECKING:
    from plugstack.stack import Stack

__all__ = ["routes"]


def routes(stack: Stack) -> list[ApiRoute]:
    async def run_shield(request: Request) -> Response:
        body = await read_body(request, RunShieldRequest)
        return json_response(await stack.safety.run_shield(body))

    async def create_moderation(request: Request) -> Response:
        body = await read_body(request, ModerationRequest)
        return json_response(await stack.safety.create_moderation(body))

    return [
        ApiRoute(
            "/v1/safety/run-shield",
            run_shield,
            method="POST",
            summary="Run a shield on messages: a violation (level, user message, categories) or none",
            tag="safety",
            request_model=RunShieldRequest,
            response_model=RunShieldResponse,
        ),
        ApiRoute(
            "/v1/moderations",
            create_moderation,
            method="POST",
            summary="Classify text as OpenAI's moderations do; model is a shield id (default: the first shield)",
            tag="safety",
            request_model=ModerationRequest,
            response_model=ModerationResponse,
        ),
    ]
