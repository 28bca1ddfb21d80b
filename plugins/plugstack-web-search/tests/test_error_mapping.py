"""``upstream_error`` for each API's error bodies and headers, including the statuses it remaps."""

from __future__ import annotations

import httpx
import pytest
from plugstack_web_search.errors import error_detail, retry_after, upstream_error

from plugstack.errors import (
    AuthenticationError,
    BadRequestError,
    PermissionDeniedError,
    PlugstackError,
    ProviderError,
    RateLimitError,
)

KEY = "tvly-dev-0123456789abcdefSECRET"


def brave_body(status: int, code: str, detail: str) -> dict[str, object]:
    return {
        "type": "ErrorResponse",
        "error": {"id": "e1", "status": status, "code": code, "detail": detail, "meta": {}},
    }


def mapped(
    status: int, body: object, headers: dict[str, str] | None = None, upstream: str = "Tavily"
) -> PlugstackError:
    return upstream_error(
        status, body, httpx.Headers(headers or {}), upstream=upstream, provider_id="search-1", secret=KEY
    )


def test_tavily_401_is_an_authentication_error_in_its_own_words() -> None:
    error = mapped(401, {"detail": {"error": "Unauthorized: missing or invalid API key."}})
    assert isinstance(error, AuthenticationError)
    assert error.message == "provider 'search-1': Tavily answered 401: Unauthorized: missing or invalid API key."


def test_brave_422_token_invalid_is_an_authentication_error_not_a_bad_request() -> None:
    body = brave_body(422, "SUBSCRIPTION_TOKEN_INVALID", "The provided subscription token is invalid.")
    error = mapped(422, body, upstream="Brave Search")
    assert isinstance(error, AuthenticationError) and error.status_code == 401
    assert "'search-1'" in error.message and "subscription token is invalid" in error.message


def test_brave_422_validation_stays_a_bad_request() -> None:
    error = mapped(422, brave_body(422, "VALIDATION", "Unable to validate request parameter(s)"), upstream="Brave")
    assert isinstance(error, BadRequestError)
    assert error.message == "provider 'search-1': Brave answered 422: Unable to validate request parameter(s)"


def test_403_is_permission_denied() -> None:
    assert isinstance(mapped(403, {"detail": {"error": "Forbidden"}}), PermissionDeniedError)


def test_429_carries_retry_after() -> None:
    error = mapped(429, {"detail": {"error": "slow down"}}, {"Retry-After": "12"})
    assert isinstance(error, RateLimitError) and error.retry_after == 12.0
    assert "'search-1'" in error.message


def test_brave_rate_limit_reset_is_the_retry_after_when_there_is_no_retry_after() -> None:
    headers = {"X-RateLimit-Limit": "1, 15000", "X-RateLimit-Reset": "1, 1419704"}
    error = mapped(429, brave_body(429, "RATE_LIMITED", "Request rate limit exceeded for plan."), headers, "Brave")
    assert isinstance(error, RateLimitError) and error.retry_after == 1.0
    assert retry_after(httpx.Headers({})) is None


@pytest.mark.parametrize("status", [432, 433])
def test_tavily_plan_limits_are_rate_limits(status: int) -> None:
    error = mapped(status, {"detail": {"error": "This request exceeds your plan's set usage limit."}})
    assert isinstance(error, RateLimitError) and error.status_code == 429
    assert str(status) in error.message


@pytest.mark.parametrize(("status", "expected"), [(500, 502), (502, 502), (503, 503), (504, 504)])
def test_an_api_failure_is_a_provider_error_naming_the_provider(status: int, expected: int) -> None:
    error = mapped(status, {"detail": {"error": "Internal Server Error"}})
    assert isinstance(error, ProviderError)
    assert error.status_code == expected and error.provider_id == "search-1"
    assert error.message.startswith("provider 'search-1': Tavily answered")


def test_404_means_base_url_is_wrong_not_that_the_caller_asked_for_something_missing() -> None:
    error = mapped(404, {"detail": "Not Found"})
    assert isinstance(error, ProviderError) and error.status_code == 502
    assert "base_url" in error.message


def test_a_key_quoted_back_is_redacted() -> None:
    error = mapped(401, {"detail": {"error": f"Invalid API key: {KEY}"}})
    assert KEY not in error.message and "<redacted>" in error.message


def test_a_text_body_is_read_and_shortened() -> None:
    error = mapped(502, "<html>Bad Gateway</html>" + "x" * 1000)
    assert isinstance(error, ProviderError) and "Bad Gateway" in error.message
    assert len(error.message) < 400


def test_error_detail_falls_back_to_openai_style_and_none() -> None:
    assert error_detail({"error": {"message": "quota"}}) == "quota"
    assert error_detail({"detail": "plain detail"}) == "plain detail"
    assert error_detail([1, 2]) is None
    assert mapped(500, None).message.endswith("Tavily answered 500: HTTP 500")
