"""What every route module builds on: :class:`ApiRoute` and the request/response helpers.

An ``ApiRoute`` is a Starlette ``Route`` that also states its request and response types,
so that ``/openapi.json`` is generated from the same pydantic models the endpoint parses
and returns. Endpoints parse the body once (:func:`read_body`), record the model they
serve for the access log (``info.model``) and answer with :func:`json_response`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TypeVar, cast

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from plugstack.errors import BadRequestError
from plugstack.validation import bad_request_from

if TYPE_CHECKING:
    pass

__all__ = [
    "ApiRoute",
    "RequestInfo",
    "json_response",
    "query_int",
    "query_order",
    "read_body",
    "request_info",
]

ModelT = TypeVar("ModelT", bound=BaseModel)
Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass(slots=True)
class RequestInfo:
    """Per-request facts the middleware logs; endpoints fill in ``model`` and ``provider``."""

    request_id: str
    model: str | None = None
    provider: str | None = None


class ApiRoute(Route):
    """A route plus the facts ``/openapi.json`` needs about it.

    ``request_model`` is the JSON body type (``None``: no body); ``response_model`` the
    200 body; ``streams`` says that ``"stream": true`` answers with Server-Sent Events;
    ``public`` routes need no API key even when auth is on (health checks).
    """

    def __init__(
        self,
        path: str,
        endpoint: Endpoint,
        *,
        method: str,
        summary: str,
        tag: str,
        request_model: type[BaseModel] | None = None,
        response_model: type[BaseModel] | None = None,
        streams: bool = False,
        public: bool = False,
    ) -> None:
        super().__init__(path, endpoint, methods=[method])
        self.app = _endpoint_app(endpoint)
        self.method = method
        self.summary = summary
        self.tag = tag
        self.request_model = request_model
        self.response_model = response_model
        self.streams = streams
        self.public = public


def _endpoint_app(endpoint: Endpoint) -> ASGIApp:
    """The endpoint as an ASGI app, without Starlette's per-route exception wrapper.

    Errors propagate to :class:`~plugstack.server.middleware.PlugstackMiddleware`, which
    answers them; skipping the wrapper keeps one ``send`` indirection off every streamed chunk.
    """

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        response = await endpoint(Request(scope, receive, send))
        await response(scope, receive, send)

    return app


def request_info(request: Request) -> RequestInfo:
    info: RequestInfo = request.scope["plugstack"]
    return info


async def read_body(request: Request, model: type[ModelT]) -> ModelT:
    """The JSON body parsed into ``model`` in one pass; a 400 naming the field if invalid."""
    try:
        return model.model_validate_json(await request.body())
    except ValidationError as exc:
        raise bad_request_from(exc) from None


def json_response(body: BaseModel) -> Response:
    """A 200 with ``body`` serialised by pydantic straight to bytes (no intermediate dict)."""
    return Response(body.model_dump_json().encode(), media_type="application/json")


def query_int(request: Request, name: str, default: int) -> int:
    """The integer query parameter ``name``; a 400 naming it when it is not an integer."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise BadRequestError(f"query parameter {name} must be an integer, got {raw!r}", param=name) from None


def query_order(request: Request) -> Literal["asc", "desc"]:
    order = request.query_params.get("order", "desc")
    if order not in ("asc", "desc"):
        raise BadRequestError(f"order must be 'asc' or 'desc', got {order!r}", param="order")
    return cast(Literal["asc", "desc"], order)
