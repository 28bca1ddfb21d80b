"""The error types every layer of plugstack raises.

Providers translate their upstream's failures into these; the server maps each to an HTTP
status and an OpenAI-shaped body (``{"error": {"message", "type", "param", "code"}}``).
Messages must never contain secrets: they reach clients verbatim.
"""

from __future__ import annotations

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
