"""The one middleware every request passes: request id, auth, body limit, errors, access log.

It is a pure ASGI middleware (no ``BaseHTTPMiddleware``): it never wraps or buffers the
response body, so streaming stays unbuffered and the hot path costs a few microseconds.
It owns the error boundary: a :class:`~plugstack.errors.PlugstackError` becomes its
OpenAI-shaped response; anything else is logged with the request id and becomes a 500
that carries the id and no traceback.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
import uuid
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from plugstack.errors import AuthenticationError, PlugstackError
from plugstack.server.errors import PayloadTooLargeError, error_response, internal_error, shutting_down
from plugstack.server.routing import RequestInfo

__all__ = ["PlugstackMiddleware"]

log = logging.getLogger("plugstack.server")
access_log = logging.getLogger("plugstack.access")


class PlugstackMiddleware:
    """Wraps the Starlette app; ``api_keys`` empty means auth is off.

    ``open_paths`` are served without a key (health checks from load balancers).
    """

    def __init__(
        self, app: ASGIApp, *, api_keys: Iterable[str], max_body_bytes: int, open_paths: frozenset[str]
    ) -> None:
        self.app = app
        self.api_keys = [key.encode() for key in api_keys]
        self.max_body_bytes = max_body_bytes
        self.open_paths = open_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        info = RequestInfo(request_id=uuid.uuid4().hex)
        scope["plugstack"] = info
        request_id_header = (b"x-request-id", info.request_id.encode())
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), request_id_header]
            await send(message)

        try:
            self._check_headers(scope)
            await self.app(scope, self._limit_body(receive), send_with_id)
        except asyncio.CancelledError:
            # uvicorn's shutdown cancels requests still open after its grace period
            if not status:
                await error_response(shutting_down())(scope, receive, send_with_id)
        except Exception as exc:
            if isinstance(exc, PlugstackError):
                error = exc
            else:
                log.exception("unhandled error (request id %s)", info.request_id)
                error = internal_error(info.request_id)
            if status:  # the response already started: nothing more to tell the client
                log.warning("error after the response started (request id %s): %s", info.request_id, error.message)
            else:
                await error_response(error, info.provider)(scope, receive, send_with_id)
        finally:
            access_log.info(
                "%s %s %d %.2fms model=%s provider=%s request_id=%s",
                scope["method"],
                scope["path"],
                status,
                (time.perf_counter() - started) * 1000,
                info.model or "-",
                info.provider or "-",
                info.request_id,
            )

    def _check_headers(self, scope: Scope) -> None:
        """Refuse a missing/wrong key or a declared body over the limit before reading it."""
        token = b""
        declared_size = 0
        for name, value in scope["headers"]:
            if name == b"authorization":
                scheme, _, token = value.partition(b" ")
                if scheme.lower() != b"bearer":
                    token = b""
            elif name == b"content-length" and value.isdigit():
                declared_size = int(value)
        if self.api_keys and scope["path"] not in self.open_paths:
            matched = False
            for key in self.api_keys:  # compare with every key: time does not depend on which
                matched |= hmac.compare_digest(token.strip(), key)
            if not matched:
                raise AuthenticationError(
                    "missing or invalid API key: send it as 'Authorization: Bearer <key>'", code="invalid_api_key"
                )
        if declared_size > self.max_body_bytes:
            raise self._too_large()

    def _limit_body(self, receive: Receive) -> Receive:
        """``receive`` that stops reading once the body is over the limit (chunked uploads)."""
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise self._too_large()
            return message

        return limited_receive

    def _too_large(self) -> PayloadTooLargeError:
        return PayloadTooLargeError(
            f"request body is larger than the limit of {self.max_body_bytes} bytes (server.max_request_body_bytes)",
            code="request_too_large",
        )
