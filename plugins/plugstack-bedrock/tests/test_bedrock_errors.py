"""botocore's own exception objects map to plugstack's error types."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, EventStreamError, NoCredentialsError
from plugstack_bedrock.errors import to_plugstack_error

from plugstack.errors import AuthenticationError, BadRequestError, NotFoundError, ProviderError, RateLimitError


def client_error(code: str, status: int, message: str, headers: dict[str, str] | None = None) -> ClientError:
    response = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status, "HTTPHeaders": headers or {}},
    }
    return ClientError(response, "Converse")  # type: ignore[arg-type]


@pytest.mark.parametrize("code", ["UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException"])
def test_bad_credentials_are_401(code: str) -> None:
    error = to_plugstack_error(
        client_error(code, 403, "The security token included in the request is invalid."), provider_id="bedrock"
    )
    assert isinstance(error, AuthenticationError)
    assert error.status_code == 401
    assert "security token" in error.message


def test_throttling_is_429_with_retry_after() -> None:
    error = to_plugstack_error(
        client_error("ThrottlingException", 429, "Too many requests", {"Retry-After": "4"}), provider_id="bedrock"
    )
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 4.0


def test_validation_keeps_the_aws_message() -> None:
    error = to_plugstack_error(
        client_error("ValidationException", 400, "The model returned the following errors: bad"), provider_id="bedrock"
    )
    assert isinstance(error, BadRequestError)
    assert error.message == "The model returned the following errors: bad"


def test_unknown_model_is_404() -> None:
    assert isinstance(
        to_plugstack_error(client_error("ResourceNotFoundException", 404, "Model not found"), provider_id="bedrock"),
        NotFoundError,
    )


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("ServiceUnavailableException", 503, 503),
        ("InternalServerException", 500, 502),
        ("ModelTimeoutException", 408, 504),
    ],
)
def test_outages_are_provider_errors(code: str, status: int, expected: int) -> None:
    error = to_plugstack_error(client_error(code, status, "down"), provider_id="bedrock-eu")
    assert isinstance(error, ProviderError)
    assert error.status_code == expected
    assert error.provider_id == "bedrock-eu" and "'bedrock-eu'" in error.message


def test_error_event_inside_a_stream() -> None:
    """An exception event of a ConverseStream: a camelCase code and no HTTP status."""
    exc = EventStreamError({"Error": {"Code": "throttlingException", "Message": "slow down"}}, "ConverseStream")
    assert isinstance(to_plugstack_error(exc, provider_id="bedrock"), RateLimitError)
    exc = EventStreamError({"Error": {"Code": "modelStreamErrorException", "Message": "broke"}}, "ConverseStream")
    error = to_plugstack_error(exc, provider_id="bedrock")
    assert isinstance(error, ProviderError)
    assert error.status_code == 502


def test_missing_credentials_and_unreachable_endpoint() -> None:
    assert isinstance(to_plugstack_error(NoCredentialsError(), provider_id="bedrock"), AuthenticationError)
    error = to_plugstack_error(
        EndpointConnectionError(endpoint_url="https://bedrock-runtime.us-east-1.amazonaws.com"), provider_id="bedrock"
    )
    assert isinstance(error, ProviderError)
    assert error.status_code == 503
