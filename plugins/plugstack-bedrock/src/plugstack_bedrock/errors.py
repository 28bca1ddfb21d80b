"""Turning botocore's exceptions into plugstack's error types.

AWS answers a bad or expired credential with 403 and an error code; plugstack calls that
an authentication failure (401), as it does for every other provider. Errors that arrive
inside a ConverseStream (``EventStreamError``) carry the same codes without a status.
"""

from __future__ import annotations

from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
    ReadTimeoutError,
)

from plugstack.errors import AuthenticationError, PlugstackError, ProviderError, error_for_status, parse_retry_after

__all__ = ["to_plugstack_error"]

_AUTH_CODES = {
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "IncompleteSignature",
    "MissingAuthenticationTokenException",
}
_STATUS_BY_CODE = {
    "ValidationException": 400,
    "AccessDeniedException": 403,
    "ResourceNotFoundException": 404,
    "ThrottlingException": 429,
    "ServiceQuotaExceededException": 429,
    "ModelNotReadyException": 503,
    "ServiceUnavailableException": 503,
    "InternalServerException": 500,
    "ModelStreamErrorException": 502,
    "ModelErrorException": 502,
    "ModelTimeoutException": 504,
}


def to_plugstack_error(exc: Exception, *, provider_id: str) -> PlugstackError:
    """The plugstack error for a boto3 failure, with AWS's own message.

    ``provider_id`` is the provider's id in the run config: provider errors name it.
    """
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        code = code[:1].upper() + code[1:]  # stream error events spell it "throttlingException"
        message = str(error.get("Message") or code or "request failed")
        if code in _AUTH_CODES:
            return AuthenticationError(f"AWS rejected the credentials: {message}")
        metadata = exc.response.get("ResponseMetadata", {})
        status = _STATUS_BY_CODE.get(code) or int(metadata.get("HTTPStatusCode") or 502)
        retry_after = parse_retry_after({k.lower(): v for k, v in (metadata.get("HTTPHeaders") or {}).items()})
        return error_for_status(status, message, provider_id=provider_id, retry_after=retry_after)
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return AuthenticationError(f"no usable AWS credentials: {exc}")
    if isinstance(exc, ConnectTimeoutError | ReadTimeoutError):
        return ProviderError("request timed out", provider_id=provider_id, status_code=504)
    if isinstance(exc, EndpointConnectionError):
        return ProviderError(
            f"cannot connect to {exc.kwargs.get('endpoint_url', 'Bedrock')}", provider_id=provider_id, status_code=503
        )
    return ProviderError(f"{type(exc).__name__}: {exc}", provider_id=provider_id)
