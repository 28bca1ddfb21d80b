from __future__ import annotations

import email.utils
import time

import pytest

from plugstack.errors import (
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    RateLimitError,
    error_for_status,
    parse_retry_after,
)


@pytest.mark.parametrize(
    ("status", "expected_type", "expected_status"),
    [
        (400, BadRequestError, 400),
        (422, BadRequestError, 400),
        (401, AuthenticationError, 401),
        (403, PermissionDeniedError, 403),
        (404, NotFoundError, 404),
        (429, RateLimitError, 429),
        (500, ProviderError, 502),
        (503, ProviderError, 503),
        (529, ProviderError, 503),
        (504, ProviderError, 504),
        (418, ProviderError, 502),
    ],
)
def test_error_for_status_maps_upstream_statuses(status: int, expected_type: type, expected_status: int) -> None:
    error = error_for_status(status, "upstream said no", provider_id="p", retry_after=3.0)
    assert type(error) is expected_type
    assert error.status_code == expected_status
    assert "upstream said no" in error.message


def test_rate_limit_keeps_retry_after() -> None:
    error = error_for_status(429, "slow down", provider_id="p", retry_after=7.5)
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 7.5


def test_parse_retry_after_forms() -> None:
    assert parse_retry_after({"retry-after": "12"}) == 12.0
    assert parse_retry_after({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    assert parse_retry_after({}) is None
    assert parse_retry_after({"retry-after": "soon"}) is None
    future = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= (parse_retry_after({"retry-after": future}) or 0) <= 31


def test_upstream_message_reads_the_common_error_shapes() -> None:
    from plugstack.errors import upstream_message

    assert upstream_message({"error": {"message": "bad key", "type": "auth"}}) == "bad key"
    assert upstream_message({"type": "error", "error": {"type": "x", "message": "overloaded"}}) == "overloaded"
    assert upstream_message({"error": "plain"}) == "plain"
    assert upstream_message({"detail": "Not Found"}) == "Not Found"
    assert upstream_message({"message": "m"}) == "m"
    assert upstream_message({"error": {}}) is None
    assert upstream_message("text") is None
