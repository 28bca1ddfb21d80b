"""Turning the groq SDK's exceptions into plugstack's error types."""

from __future__ import annotations

import groq
import httpx

from plugstack.errors import PlugstackError, ProviderError, error_for_status, parse_retry_after, upstream_message
from plugstack.redaction import redact_text

__all__ = ["to_plugstack_error"]


def to_plugstack_error(exc: groq.APIError, secret: str | None, *, provider_id: str) -> PlugstackError:
    """The plugstack error for ``exc``, with the upstream's own message and no secret in it.

    ``provider_id`` is the provider's id in the run config: provider errors name it.
    """
    if isinstance(exc, groq.APIStatusError):
        message = redact_text(upstream_message(exc.body) or exc.message, secret)
        retry_after = parse_retry_after(exc.response.headers)
        return error_for_status(exc.status_code, message, provider_id=provider_id, retry_after=retry_after)
    if isinstance(exc, groq.APITimeoutError):
        # httpx-aiohttp reports a refused connection as ConnectTimeout: either way, Groq was
        # never reached (503), unlike a response that did not come in time (504)
        if isinstance(exc.__cause__, httpx.ConnectTimeout):
            return ProviderError("cannot connect to Groq", provider_id=provider_id, status_code=503)
        return ProviderError("request timed out", provider_id=provider_id, status_code=504)
    if isinstance(exc, groq.APIConnectionError):
        return ProviderError("cannot connect to Groq", provider_id=provider_id, status_code=503)
    return ProviderError(redact_text(exc.message, secret), provider_id=provider_id)
