"""``create_app``: the Starlette application serving a :class:`~plugstack.stack.Stack`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response

from plugstack.errors import NotFoundError, PlugstackError
from plugstack.provider_spec import import_object
from plugstack.server import meta_routes
from plugstack.server.errors import MethodNotAllowedError, error_response
from plugstack.server.middleware import PlugstackMiddleware
from plugstack.server.routing import ApiRoute

if TYPE_CHECKING:
    from plugstack.stack import Stack

__all__ = ["api_routes", "create_app"]

log = logging.getLogger("plugstack.server")


def create_app(stack: Stack) -> Starlette:
    """The app for ``stack``; the app owns it: shutting the app down closes every provider.

    ``stack`` may still be unstarted when the app is built; it must be started before the
    first request is served.
    """
    routes = api_routes(stack)
    server = stack.config.server
    middleware = Middleware(
        PlugstackMiddleware,
        api_keys=[key.get_secret_value() for key in server.auth.api_keys],
        max_body_bytes=server.max_request_body_bytes,
        open_paths=frozenset(route.path for route in routes if route.public),
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        names = ", ".join(instance.provider_id for instance in stack.providers) or "none"
        log.info("shutting down providers: %s", names)
        await stack.close()
        log.info("providers shut down")

    return Starlette(
        routes=routes,
        middleware=[middleware],
        exception_handlers={HTTPException: _routing_error},
        lifespan=lifespan,
    )


def api_routes(stack: Stack) -> list[ApiRoute]:
    """The routes of every API the stack's plugin host knows, then the server's own (health, ...).

    Ordered by each API's ``route_order``: the router tries routes in order, so the hot
    inference routes come first, and earlier routes win on identical paths.
    """
    definitions = sorted((d for d in stack.host.apis if d.routes), key=lambda d: d.route_order)
    routes = [route for d in definitions for route in import_object(str(d.routes))(stack)]
    return routes + meta_routes.routes(stack)


async def _routing_error(request: Request, exc: Exception) -> Response:
    """404 and 405 from the router, in the OpenAI error shape."""
    assert isinstance(exc, HTTPException)
    error: PlugstackError
    if exc.status_code == 404:
        error = NotFoundError(
            f"no route {request.method} {request.url.path}; GET /v1/inspect/routes lists them", code="route_not_found"
        )
    elif exc.status_code == 405:
        error = MethodNotAllowedError(f"{request.method} is not allowed on {request.url.path}")
    else:
        error = PlugstackError(str(exc.detail))
        error.status_code = exc.status_code
    response = error_response(error)
    response.headers.update(exc.headers or {})
    return response
