"""Turning exceptions into OpenAI-shaped HTTP error responses.

Every error the server sends is ``{"error": {"message", "type", "param", "code"}}``. Core
errors (:mod:`plugstack.errors`) carry their own status; this module adds the two that
only HTTP has (413, 405) and the one place that decides what an error response looks like.
"""

from __future__ import annotations

import json
import math

from pydantic import BaseModel
from starlette.responses import Response

from plugstack.errors import PlugstackError, RateLimitError

__all__ = [
    "ErrorDetail",
    "ErrorResponse",
    "MethodNotAllowedError",
    "PayloadTooLargeError",
    "error_event",
    "error_response",
    "internal_error",
    "shutting_down",
]


class PayloadTooLargeError(PlugstackError):
    """The request body is over ``server.max_request_body_bytes`` (413)."""

    status_code = 413
    error_type = "invalid_request_error"


class MethodNotAllowedError(PlugstackError):
    """The route exists but not with this HTTP method (405)."""

    status_code = 405
    error_type = "invalid_request_error"


class ErrorDetail(BaseModel):
    message: str
    type: str
    param: str | None = None
    code: str | None = None


class ErrorResponse(BaseModel):
    """The body of every error response (the schema ``/openapi.json`` documents)."""

    error: ErrorDetail


def internal_error(request_id: str) -> PlugstackError:
    """The 500 a client sees for an unexpected exception: the request id, never a traceback."""
    return PlugstackError(
        f"internal server error; the server log has the details under request id {request_id}",
        code="internal_error",
    )


def shutting_down() -> PlugstackError:
    """The answer to a request still open when the server's shutdown grace period ends."""
    error = PlugstackError("the server is shutting down; retry the request", code="server_shutting_down")
    error.status_code = 503
    return error


def error_response(exc: PlugstackError, provider: str | None = None) -> Response:
    """The HTTP response for ``exc``; upstream failures (429, 5xx) name the provider."""
    headers = {}
    retry_after = exc.retry_after if isinstance(exc, RateLimitError) else None
    if retry_after is not None:
        headers["retry-after"] = str(max(0, math.ceil(retry_after)))
    return Response(_body(exc, provider), status_code=exc.status_code, headers=headers, media_type="application/json")


def error_event(exc: PlugstackError, provider: str | None = None) -> bytes:
    """The SSE event that ends a stream whose upstream failed after the first chunk."""
    return b"data: " + _body(exc, provider) + b"\n\n"


def _body(exc: PlugstackError, provider: str | None) -> bytes:
    body = exc.to_dict()
    names_provider = getattr(exc, "provider_id", None) is not None
    if (
        provider
        and not names_provider
        and (exc.status_code == 429 or exc.status_code >= 500)
        and exc.code != "internal_error"
    ):
        body["error"]["message"] = f"provider {provider!r}: {exc.message}"
    return json.dumps(body).encode()
