"""The OpenAI provider: plugstack's inference API spoken as the OpenAI wire protocol.

One ``aiohttp.ClientSession`` per provider holds a keep-alive connection pool; aiohttp was
chosen over httpx by measurement (``bench/http_engines.py``). Requests are the validated
pydantic requests dumped as they are, so fields plugstack does not know pass through;
responses are parsed into plugstack's types. Streams are read from the socket a block at a
time and each event is handed on as soon as its block arrives, never held back. For the
server, ``chat_completion_sse`` hands on the upstream's event payloads without parsing them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any, TypeVar

import aiohttp
from pydantic import BaseModel, ConfigDict, ValidationError

from plugstack.apis.inference import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionRequest,
    Completion,
    CompletionRequest,
    EmbeddingsRequest,
    EmbeddingsResponse,
)
from plugstack.apis.models import Model
from plugstack.errors import PlugstackError, ProviderError, error_for_status, parse_retry_after, upstream_message
from plugstack.provider_context import ProviderContext
from plugstack.redaction import redact_text
from plugstack_openai.config import OpenAICompatibleConfig
from plugstack_openai.sse import read_sse_data

__all__ = ["OpenAIProvider", "create_provider"]

log = logging.getLogger("plugstack_openai")
ResponseT = TypeVar("ResponseT", bound=BaseModel)


async def create_provider(config: OpenAICompatibleConfig, context: ProviderContext) -> OpenAIProvider:
    """The adapter factory named by both provider specs: errors name the run config's provider id."""
    return OpenAIProvider(config, provider_id=context.provider_id)


class OpenAIProvider:
    """Implements :class:`plugstack.apis.inference.Inference` against ``config.base_url``.

    ``provider_id`` is the provider's id in the run config; its errors and log lines name it.
    """

    def __init__(self, config: OpenAICompatibleConfig, *, provider_id: str = "openai-compatible") -> None:
        self.config = config
        self.provider_id = provider_id
        self._base_url = config.base_url.rstrip("/")
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        """The pooled session, created on first use (it needs a running event loop)."""
        if self._session is None or self._session.closed:
            headers = {"Accept": "application/json"}
            if self.config.api_key is not None and self.config.api_key.get_secret_value():
                headers["Authorization"] = f"Bearer {self.config.api_key.get_secret_value()}"
            self._session = aiohttp.ClientSession(
                headers=headers,
                connector=aiohttp.TCPConnector(limit=self.config.max_connections, keepalive_timeout=60),
                timeout=aiohttp.ClientTimeout(total=None, connect=self.config.timeout, sock_read=self.config.timeout),
                raise_for_status=False,
            )
        return self._session

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def health(self) -> dict[str, Any]:
        await self._request("GET", "/models")
        return {"status": "OK"}

    # -- models ---------------------------------------------------------------------------

    async def list_models(self) -> list[Model]:
        """The configured models, or what the upstream's ``/models`` lists."""
        embedding = set(self.config.embedding_models)
        if self.config.models is not None:
            ids = [*self.config.models, *self.config.embedding_models]
            return [self._model(model_id, model_id in embedding, {}) for model_id in dict.fromkeys(ids)]
        listed = self._parse(_ModelListing, await self._request("GET", "/models"))
        return [
            self._model(entry.id, entry.id in embedding or "embed" in entry.id.lower(), entry.model_dump())
            for entry in listed.data
        ]

    def _model(self, model_id: str, is_embedding: bool, upstream: dict[str, Any]) -> Model:
        metadata = {key: value for key, value in upstream.items() if key not in ("id", "object", "created", "owned_by")}
        return Model(
            id=model_id,
            owned_by=str(upstream.get("owned_by") or "openai"),
            provider_resource_id=model_id,
            model_type="embedding" if is_embedding else "llm",
            metadata=metadata,
        )

    # -- inference ------------------------------------------------------------------------

    async def chat_completion(
        self, request: ChatCompletionRequest
    ) -> ChatCompletion | AsyncIterator[ChatCompletionChunk]:
        if request.stream:
            return await self._stream("/chat/completions", request, ChatCompletionChunk)
        return self._parse(ChatCompletion, await self._request("POST", "/chat/completions", request))

    async def chat_completion_sse(self, request: ChatCompletionRequest) -> AsyncIterator[bytes]:
        """The streamed chat completion as the upstream's event payloads, unparsed.

        The optional byte-relay method (see ``InferenceRouter.chat_completion_stream_bytes``):
        errors before the first event and upstream error events raise as in
        :meth:`chat_completion`; the chunks themselves are not validated.
        """
        return self._payloads(await self._open_stream("/chat/completions", request))

    async def completion(self, request: CompletionRequest) -> Completion | AsyncIterator[Completion]:
        if request.stream:
            return await self._stream("/completions", request, Completion)
        return self._parse(Completion, await self._request("POST", "/completions", request))

    async def embeddings(self, request: EmbeddingsRequest) -> EmbeddingsResponse:
        return self._parse(EmbeddingsResponse, await self._request("POST", "/embeddings", request))

    # -- the wire -------------------------------------------------------------------------

    async def _request(self, method: str, path: str, request: BaseModel | None = None) -> bytes:
        """Send one request and return the body of its successful response."""
        body = None if request is None else _dump(request)
        try:
            async with self.session.request(
                method, self._base_url + path, data=body, headers=_json_headers(body)
            ) as response:
                payload = await response.read()
                if response.status >= 400:
                    raise self._upstream_error(response, payload)
                return payload
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise self._connection_error(exc) from None

    async def _stream(self, path: str, request: BaseModel, chunk_class: type[ResponseT]) -> AsyncIterator[ResponseT]:
        """Open the stream (so that errors before the first event raise here) and return its chunks."""
        return self._chunks(self._payloads(await self._open_stream(path, request)), chunk_class)

    async def _open_stream(self, path: str, request: BaseModel) -> aiohttp.ClientResponse:
        """Send a streamed request; raises the upstream's error if it answered with one."""
        body = _dump(request)
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
        try:
            response = await self.session.post(self._base_url + path, data=body, headers=headers)
            if response.status >= 400:
                try:
                    payload = await response.read()
                finally:
                    response.release()
                raise self._upstream_error(response, payload)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise self._connection_error(exc) from None
        return response

    async def _chunks(self, payloads: AsyncIterator[bytes], chunk_class: type[ResponseT]) -> AsyncIterator[ResponseT]:
        try:
            async for data in payloads:
                yield self._parse(chunk_class, data)
        finally:
            await payloads.aclose()  # type: ignore[attr-defined]

    async def _payloads(self, response: aiohttp.ClientResponse) -> AsyncIterator[bytes]:
        """The event payloads up to ``[DONE]``; an upstream error event raises."""
        try:
            async for events in read_sse_data(response.content):
                for data in events:
                    if data == b"[DONE]":
                        return
                    if b'"error"' in data:  # perhaps an upstream failure after the stream began
                        self._raise_error_event(data)
                    yield data
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise self._connection_error(exc) from None
        finally:
            response.release()

    def _raise_error_event(self, data: bytes) -> None:
        """Raise the upstream's error if ``data`` is an ``{"error": ...}`` event.

        Only events that contain ``"error"`` are decoded twice; every other event is
        validated straight from its bytes (``model_validate_json``), the fast path.
        """
        try:
            event = json.loads(data)
        except ValueError:
            return  # not JSON: _parse says so
        if isinstance(event, dict) and "error" in event:
            raise ProviderError(self._redact(_error_message(event, b"")), provider_id=self.provider_id)

    def _parse(self, cls: type[ResponseT], payload: bytes) -> ResponseT:
        """The JSON ``payload`` as ``cls``; a 502 naming what is wrong otherwise."""
        try:
            return cls.model_validate_json(payload)
        except ValidationError as exc:
            problem = exc.errors(include_url=False, include_input=False)[0]
            where = ".".join(str(part) for part in problem["loc"]) or "body"
            raise ProviderError(
                f"the upstream sent an invalid {cls.__name__}: {where}: {problem['msg']}", provider_id=self.provider_id
            ) from None

    def _upstream_error(self, response: aiohttp.ClientResponse, payload: bytes) -> PlugstackError:
        try:
            parsed = json.loads(payload)
        except ValueError:
            parsed = None
        message = self._redact(_error_message(parsed, payload))
        error = error_for_status(
            response.status,
            f"upstream {response.status}: {message}",
            provider_id=self.provider_id,
            retry_after=parse_retry_after(response.headers),
        )
        log.info("%s answered %s: %s", self.provider_id, response.status, message)
        return error

    def _connection_error(self, exc: BaseException) -> ProviderError:
        if isinstance(exc, TimeoutError):
            return ProviderError(
                f"no answer within {self.config.timeout:g} s", provider_id=self.provider_id, status_code=504
            )
        status = 503 if isinstance(exc, aiohttp.ClientConnectorError) else 502
        return ProviderError(
            f"{type(exc).__name__}: {self._redact(str(exc))}", provider_id=self.provider_id, status_code=status
        )

    def _redact(self, text: str) -> str:
        """Upstream messages may quote the key ("Incorrect API key provided: sk-...")."""
        return redact_text(text, self.config.api_key)


class _ListedModel(BaseModel):
    """One entry of ``GET /models``: only the id is required; other fields become metadata."""

    model_config = ConfigDict(extra="allow")

    id: str


class _ModelListing(BaseModel):
    data: list[_ListedModel]


def _dump(request: BaseModel) -> bytes:
    """The fields the caller set (unknown ones too), and those the router set (``model``)."""
    return request.model_dump_json(exclude_unset=True).encode()


def _json_headers(body: bytes | None) -> dict[str, str] | None:
    return None if body is None else {"Content-Type": "application/json"}


def _error_message(parsed: Any, payload: bytes) -> str:
    """The upstream's own words: from its JSON error body, else its text."""
    return upstream_message(parsed) or payload.decode("utf-8", "replace").strip()[:500] or "(no message)"
