"""The anthropic SDK's real exception objects, built from real httpx2 responses, map to plugstack's."""

from __future__ import annotations

import anthropic
import httpx2
import pytest
from plugstack_anthropic.errors import to_plugstack_error

from plugstack.errors import AuthenticationError, BadRequestError, ProviderError, RateLimitError

_KEY = "sk-ant-secretsecretsecretsecret"
_REQUEST = httpx2.Request("POST", "https://api.anthropic.com/v1/messages")


def _status_error(status: int, message: str, headers: dict[str, str] | None = None) -> anthropic.APIStatusError:
    client = anthropic.Anthropic(api_key=_KEY)
    body = {"type": "error", "error": {"type": "some_error", "message": message}}
    response = httpx2.Response(status, json=body, headers=headers, request=_REQUEST)
    return client._make_status_error_from_response(response)


def test_auth_failure_is_401_without_the_key() -> None:
    error = to_plugstack_error(_status_error(401, f"invalid x-api-key {_KEY}"), _KEY, provider_id="anthropic")
    assert isinstance(error, AuthenticationError)
    assert error.message == "invalid x-api-key <redacted>"


def test_rate_limit_carries_retry_after() -> None:
    error = to_plugstack_error(
        _status_error(429, "Number of requests has exceeded your rate limit", {"retry-after": "30"}),
        _KEY,
        provider_id="anthropic",
    )
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 30.0


def test_bad_request_keeps_anthropic_message() -> None:
    error = to_plugstack_error(_status_error(400, "max_tokens: Field required"), _KEY, provider_id="anthropic")
    assert isinstance(error, BadRequestError)
    assert error.message == "max_tokens: Field required"


@pytest.mark.parametrize(("status", "expected"), [(500, 502), (529, 503)])
def test_overloaded_and_broken_upstream(status: int, expected: int) -> None:
    error = to_plugstack_error(_status_error(status, "Overloaded"), _KEY, provider_id="claude-eu")
    assert isinstance(error, ProviderError)
    assert error.status_code == expected
    assert error.provider_id == "claude-eu" and "'claude-eu'" in error.message


def test_connection_failure_is_503() -> None:
    error = to_plugstack_error(anthropic.APIConnectionError(request=_REQUEST), _KEY, provider_id="anthropic")
    assert isinstance(error, ProviderError)
    assert error.status_code == 503
