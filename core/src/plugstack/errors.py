"""The error types every layer of plugstack raises.

Providers translate their upstream's failures into these; the server maps each to an HTTP
status and an OpenAI-shaped body (``{"error": {"message", "type", "param", "code"}}``).
Messages must never contain secrets: they reach clients verbatim.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping
from typing import Any

__all__ = [
    "AuthenticationError",
    "BadRequestError",
    "ConfigError",
    "ConflictError",
    "NotFoundError",
    "NotImplementedByProviderError",
    "PermissionDeniedError",
    "PlugstackError",
    "ProviderError",
    "RateLimitError",
    "ResolverError",
    "error_for_status",
    "parse_retry_after",
    "upstream_message",
]


class PlugstackError(Exception):
    """Base class: an error with an HTTP status and an OpenAI error ``type``."""

    status_code: int = 500
    error_type: str = "server_error"

    def __init__(self, message: str, *, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code

    def to_dict(self) -> dict[str, Any]:
        """The OpenAI-shaped error body."""
        return {
            "error": {
                "message": self.message,
                "type": self.error_type,
                "param": self.param,
                "code": self.code,
            }
        }


class BadRequestError(PlugstackError):
    """The request is malformed or names an invalid value (400)."""

    status_code = 400
    error_type = "invalid_request_error"


class AuthenticationError(PlugstackError):
    """Missing or wrong credentials, ours or the upstream's (401)."""

    status_code = 401
    error_type = "authentication_error"


class PermissionDeniedError(PlugstackError):
    """Credentials are valid but not allowed to do this (403)."""

    status_code = 403
    error_type = "permission_error"


class NotFoundError(PlugstackError):
    """A model, resource or route does not exist (404)."""

    status_code = 404
    error_type = "not_found_error"


class ConflictError(PlugstackError):
    """The resource already exists (409)."""

    status_code = 409
    error_type = "conflict_error"


class RateLimitError(PlugstackError):
    """The upstream (or plugstack) is rate limiting the caller (429)."""

    status_code = 429
    error_type = "rate_limit_error"

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        param: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message, param=param, code=code)
        self.retry_after = retry_after


class NotImplementedByProviderError(PlugstackError):
    """The provider (or plugstack) does not implement this operation or feature (501)."""

    status_code = 501
    error_type = "not_implemented_error"


class ProviderError(PlugstackError):
    """The upstream failed; ``status_code`` is passed on (502 when it gave none)."""

    error_type = "provider_error"

    def __init__(
        self,
        message: str,
        *,
        provider_id: str,
        status_code: int = 502,
        param: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(f"provider {provider_id!r}: {message}", param=param, code=code)
        self.provider_id = provider_id
        self.status_code = status_code


class ConfigError(PlugstackError):
    """A run config or provider config is invalid; the message names file and YAML path."""

    error_type = "config_error"


class ResolverError(ConfigError):
    """Providers cannot be wired together: a missing dependency, a cycle, an unknown type."""


def error_for_status(
    status_code: int, message: str, *, provider_id: str, retry_after: float | None = None
) -> PlugstackError:
    """The plugstack error for an upstream HTTP failure, so every provider maps alike.

    Client errors keep their meaning (the caller must fix something); an upstream that is
    down or broken becomes a :class:`ProviderError`: 503 when it said so (or 529,
    "overloaded"), 504 on its gateway timeout, 502 for any other 5xx or unknown status.
    """
    if status_code in (400, 413, 422):
        return BadRequestError(message)
    if status_code == 401:
        return AuthenticationError(message)
    if status_code == 403:
        return PermissionDeniedError(message)
    if status_code == 404:
        return NotFoundError(message)
    if status_code == 409:
        return ConflictError(message)
    if status_code == 429:
        return RateLimitError(message, retry_after=retry_after)
    if status_code in (503, 529):
        return ProviderError(message, provider_id=provider_id, status_code=503)
    if status_code == 504:
        return ProviderError(message, provider_id=provider_id, status_code=504)
    return ProviderError(message, provider_id=provider_id, status_code=502)


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait, from ``retry-after-ms`` or ``retry-after`` (seconds or HTTP date)."""
    milliseconds = headers.get("retry-after-ms")
    if milliseconds is not None:
        try:
            return float(milliseconds) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


def upstream_message(body: Any) -> str | None:
    """The upstream's own words from its parsed JSON error body, if it has any.

    Understands OpenAI's ``{"error": {"message": ...}}`` (also Groq's and, nested in its
    ``{"type": "error", ...}`` envelope, Anthropic's), ``{"error": "..."}``, and the
    ``detail`` or ``message`` of FastAPI-style servers.
    """
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    if isinstance(error, dict) and error.get("message"):
        return str(error["message"])
    if isinstance(error, str) and error:
        return error
    for key in ("detail", "message"):
        if body.get(key):
            return str(body[key])
    return None
