"""About the server itself: health, version, providers, routes and ``/openapi.json``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from plugstack import __version__
from plugstack.server.openapi import openapi_document
from plugstack.server.routing import ApiRoute, json_response

if TYPE_CHECKING:
    from plugstack.stack import Stack

__all__ = ["Health", "ProviderInfo", "ProviderList", "RouteInfo", "RouteList", "Version", "routes"]


class Health(BaseModel):
    status: Literal["OK"] = "OK"


class Version(BaseModel):
    version: str


class ProviderInfo(BaseModel):
    """A running provider: ids and type only, never its config (which holds secrets)."""

    provider_id: str
    api: str
    provider_type: str
    health: dict[str, Any]


class ProviderList(BaseModel):
    data: list[ProviderInfo]


class RouteInfo(BaseModel):
    route: str
    method: str
    summary: str


class RouteList(BaseModel):
    data: list[RouteInfo]


def routes(stack: Stack) -> list[ApiRoute]:
    cached: dict[str, bytes] = {}

    async def health(request: Request) -> Response:
        return json_response(Health())

    async def version(request: Request) -> Response:
        return json_response(Version(version=__version__))

    async def providers(request: Request) -> Response:
        report = await stack.provider_health()
        return json_response(ProviderList(data=[ProviderInfo.model_validate(entry) for entry in report]))

    async def inspect_routes(request: Request) -> Response:
        listed = [
            RouteInfo(route=route.path, method=route.method, summary=route.summary)
            for route in request.app.routes
            if isinstance(route, ApiRoute)
        ]
        return json_response(RouteList(data=listed))

    async def openapi(request: Request) -> Response:
        if "document" not in cached:  # the routes never change once the app is built
            document = openapi_document(request.app.routes, auth=bool(stack.config.server.auth.api_keys))
            cached["document"] = json.dumps(document).encode()
        return Response(cached["document"], media_type="application/json")

    return [
        ApiRoute(
            "/v1/health", health, method="GET", summary="Liveness check", tag="meta", response_model=Health, public=True
        ),
        ApiRoute("/v1/version", version, method="GET", summary="plugstack version", tag="meta", response_model=Version),
        ApiRoute(
            "/v1/providers",
            providers,
            method="GET",
            summary="Running providers: ids, types and health",
            tag="meta",
            response_model=ProviderList,
        ),
        ApiRoute(
            "/v1/inspect/routes",
            inspect_routes,
            method="GET",
            summary="Every route this server serves",
            tag="meta",
            response_model=RouteList,
        ),
        ApiRoute("/openapi.json", openapi, method="GET", summary="This OpenAPI 3.1 document", tag="meta"),
    ]
