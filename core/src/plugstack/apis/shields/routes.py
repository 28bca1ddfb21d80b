"""``/v1/shields``: list, get, register and unregister shields (the shields routing table)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from plugstack.apis.shields.types import RegisterShieldRequest, Shield, ShieldList
from plugstack.server.routing import ApiRoute, json_response, read_body

if TYPE_CHECKING:
    from plugstack.stack import Stack

__all__ = ["routes"]


def routes(stack: Stack) -> list[ApiRoute]:
    async def list_shields(request: Request) -> Response:
        return json_response(ShieldList(data=stack.shields.list()))

    async def get_shield(request: Request) -> Response:
        return json_response(stack.shields.get(request.path_params["shield_id"]))

    async def register_shield(request: Request) -> Response:
        body = await read_body(request, RegisterShieldRequest)
        return json_response(await stack.shields.register(body))

    async def unregister_shield(request: Request) -> Response:
        return json_response(await stack.shields.unregister(request.path_params["shield_id"]))

    return [
        ApiRoute(
            "/v1/shields", list_shields, method="GET", summary="List shields", tag="safety", response_model=ShieldList
        ),
        ApiRoute(
            "/v1/shields",
            register_shield,
            method="POST",
            summary="Register a shield: serve a safety provider's shield under an id",
            tag="safety",
            request_model=RegisterShieldRequest,
            response_model=Shield,
        ),
        ApiRoute(
            "/v1/shields/{shield_id:path}",
            get_shield,
            method="GET",
            summary="Retrieve a shield",
            tag="safety",
            response_model=Shield,
        ),
        ApiRoute(
            "/v1/shields/{shield_id:path}",
            unregister_shield,
            method="DELETE",
            summary="Unregister a shield registered through the API or run config (answers the shield)",
            tag="safety",
            response_model=Shield,
        ),
    ]
