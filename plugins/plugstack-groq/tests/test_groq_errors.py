"""The groq SDK's real exception objects, built from real httpx responses, map to plugstack's."""

from __future__ import annotations

import groq
import httpx
import pytest
from plugstack_groq.errors import to_plugstack_error

from plugstack.errors import AuthenticationError, BadRequestError, ProviderError, RateLimitError

_KEY = "gsk_secretsecretsecretsecret123"
_REQUEST = httpx.Request("POST", "https://api.groq.com/openai/v1/chat/completions")


def _status_error(status: int, body: dict[str, object], headers: dict[str, str] | None = None) -> groq.APIStatusError:
    client = groq.Groq(api_key=_KEY)
    response = httpx.Response(status, json=body, headers=headers, request=_REQUEST)
    return client._make_status_error_from_response(response)


def test_auth_failure_is_401_with_upstream_message_and_no_key() -> None:
    exc = _status_error(401, {"error": {"message": f"Invalid API Key {_KEY}", "type": "invalid_request_error"}})
    error = to_plugstack_error(exc, _KEY, provider_id="groq")
    assert isinstance(error, AuthenticationError)
    assert error.status_code == 401
    assert error.message == "Invalid API Key <redacted>"


def test_rate_limit_carries_retry_after() -> None:
    exc = _status_error(429, {"error": {"message": "Rate limit reached"}}, {"retry-after": "17"})
    error = to_plugstack_error(exc, _KEY, provider_id="groq")
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 17.0


def test_bad_request_keeps_upstream_message() -> None:
    exc = _status_error(400, {"error": {"message": "'messages' must contain at least one message"}})
    error = to_plugstack_error(exc, _KEY, provider_id="groq")
    assert isinstance(error, BadRequestError)
    assert error.message == "'messages' must contain at least one message"


@pytest.mark.parametrize(("status", "expected"), [(500, 502), (503, 503)])
def test_outage_is_provider_error(status: int, expected: int) -> None:
    exc = _status_error(status, {"error": {"message": "over capacity"}})
    error = to_plugstack_error(exc, _KEY, provider_id="groq-eu")
    assert isinstance(error, ProviderError)
    assert error.status_code == expected
    assert error.provider_id == "groq-eu" and "'groq-eu'" in error.message


def test_connection_failure_is_503() -> None:
    error = to_plugstack_error(groq.APIConnectionError(request=_REQUEST), _KEY, provider_id="groq")
    assert isinstance(error, ProviderError)
    assert error.status_code == 503


def test_a_response_that_does_not_come_in_time_is_504() -> None:
    error = to_plugstack_error(groq.APITimeoutError(request=_REQUEST), _KEY, provider_id="groq")
    assert isinstance(error, ProviderError)
    assert error.status_code == 504
