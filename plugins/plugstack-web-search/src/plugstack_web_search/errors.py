"""Turning a search API's HTTP failure into plugstack's error types.

The core's :func:`~plugstack.errors.error_for_status` does the mapping every plugin shares;
this module only reads each API's error body and fixes the few statuses whose meaning
differs from the usual one:

- Brave answers a wrong or missing key with **422** ``SUBSCRIPTION_TOKEN_INVALID``, not
  401: that is an authentication error, not a bad request.
- Tavily answers an exhausted plan with **432** or **433**: a rate limit, like its 429.
- A 404 means ``base_url`` does not point at the search endpoint: the provider is
  misconfigured (a 502), the caller did not ask for anything missing.

Every message names the provider id and never holds the key (it is redacted, should an
upstream quote it back).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from plugstack.errors import (
    AuthenticationError,
    PlugstackError,
    ProviderError,
    RateLimitError,
    error_for_status,
    parse_retry_after,
    upstream_message,
)
from plugstack.redaction import redact_text

__all__ = ["error_detail", "retry_after", "upstream_error"]

_BRAVE_TOKEN_CODES = frozenset({"SUBSCRIPTION_TOKEN_INVALID", "SUBSCRIPTION_TOKEN_MISSING"})
_QUOTA_STATUSES = frozenset({432, 433})  # Tavily: plan / pay-as-you-go limit reached


def upstream_error(
    status: int,
    body: Any,
    headers: Mapping[str, str],
    *,
    upstream: str,
    provider_id: str,
    secret: str | None,
) -> PlugstackError:
    """The plugstack error for an HTTP ``status`` answer of ``upstream`` ("Tavily", "Brave Search").

    ``body`` is the parsed JSON body (or its text when it was not JSON).
    """
    detail = redact_text(error_detail(body) or f"HTTP {status}", secret)
    message = f"{upstream} answered {status}: {detail}"
    code = _error_code(body)
    if status == 422 and code in _BRAVE_TOKEN_CODES:
        return AuthenticationError(f"provider {provider_id!r}: {upstream} rejected the API key: {detail}")
    if status in _QUOTA_STATUSES:
        return RateLimitError(f"provider {provider_id!r}: {message}", retry_after=retry_after(headers))
    if status == 404:
        return ProviderError(f"{message} (is base_url the search endpoint?)", provider_id=provider_id)
    error = error_for_status(status, message, provider_id=provider_id, retry_after=retry_after(headers))
    if isinstance(error, ProviderError):  # its message already starts with the provider id
        return error
    return error_for_status(
        status, f"provider {provider_id!r}: {message}", provider_id=provider_id, retry_after=retry_after(headers)
    )


def error_detail(body: Any) -> str | None:
    """The API's own words from its error body.

    Tavily: ``{"detail": {"error": "..."}}``; Brave: ``{"type": "ErrorResponse", "error":
    {"code", "detail", "status", ...}}``; anything else as the core reads it (OpenAI-style
    ``error.message``, a FastAPI ``detail`` string), or a short text body.
    """
    if isinstance(body, str):
        text = body.strip()
        return text[:300] or None
    if not isinstance(body, dict):
        return None
    detail = body.get("detail")
    if isinstance(detail, dict) and detail.get("error"):
        return str(detail["error"])
    error = body.get("error")
    if isinstance(error, dict) and error.get("detail") and not error.get("message"):
        return str(error["detail"])
    return upstream_message(body)


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait: ``Retry-After``, else the first window of Brave's ``X-RateLimit-Reset``.

    Brave sends ``X-RateLimit-Reset: 1, 1419704``: seconds until the per-second and the
    per-month windows reset; the first one is when a retry may succeed.
    """
    seconds = parse_retry_after(headers)
    if seconds is not None:
        return seconds
    reset = headers.get("x-ratelimit-reset")
    if not reset:
        return None
    first = re.match(r"\s*(\d+(?:\.\d+)?)", reset)
    return float(first.group(1)) if first else None


def _error_code(body: Any) -> str | None:
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return str(code) if code else None
