"""The inference router: what ``stack.inference`` is, in library and server mode alike.

It validates the request, resolves the model id through the routing table, calls the
provider (through the ``plugstack_api_call`` hook) with the provider's own model id, and
puts the caller's model id back into the response.

The server streams chat through :meth:`InferenceRouter.chat_completion_stream_bytes`,
which relays a provider's upstream events as bytes when it can (see there).
"""

from __future__ import annotations

import base64
import json
import re
import struct
from collections.abc import AsyncIterator
from typing import Any, TypeVar

import pluggy
from pydantic import BaseModel

from plugstack.api_call import call_api, calls_are_wrapped
from plugstack.apis.definition import RouterContext
from plugstack.apis.inference import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionRequest,
    Completion,
    CompletionRequest,
    EmbeddingsRequest,
    EmbeddingsResponse,
)
from plugstack.apis.inference.guard import ChatGuard
from plugstack.apis.models import Model
from plugstack.apis.models.table import ModelsRoutingTable
from plugstack.errors import BadRequestError, ProviderError
from plugstack.protocols import optional_method
from plugstack.streams import aclose
from plugstack.validation import validate_request

__all__ = ["InferenceRouter", "build_routers", "json_payloads"]

RequestT = TypeVar("RequestT", bound=BaseModel)


async def build_routers(context: RouterContext) -> dict[str, object]:
    """The inference router and the models routing table it routes by."""
    table = ModelsRoutingTable(context.providers, context.kvstore)
    await table.initialize(context.resources["models"])
    return {"inference": InferenceRouter(table, context.pm), "models": table}


class InferenceRouter:
    def __init__(self, table: ModelsRoutingTable, pm: pluggy.PluginManager) -> None:
        self.table = table
        self.pm = pm
        self.chat_guard: ChatGuard | None = None  # the safety API's guardrails, when configured

    async def chat_completion(
        self, request: ChatCompletionRequest | None = None, /, **params: Any
    ) -> ChatCompletion | AsyncIterator[ChatCompletionChunk]:
        """Chat completion; with ``stream=True`` an async iterator of chunks."""
        request = validate_request(ChatCompletionRequest, request, params)
        guard = self.chat_guard
        if guard is None or not guard.guards(request.model):
            unguarded: ChatCompletion | AsyncIterator[ChatCompletionChunk] = await self._route(
                "chat_completion", request, want="llm"
            )
            return unguarded
        await guard.check_request(request)
        result = await self._route("chat_completion", request, want="llm")
        if isinstance(result, ChatCompletion):
            await guard.check_completion(request, result)
            return result
        return guard.guard_stream(request, result)

    async def chat_completion_stream_bytes(self, request: ChatCompletionRequest) -> AsyncIterator[bytes]:
        """A streamed chat completion as the JSON payloads of its SSE events (the server's path).

        When the provider has the optional ``chat_completion_sse`` method and no plugin
        wraps calls, the upstream's event payloads are relayed as they came, only the
        top-level ``"model"`` value is replaced by the caller's id: no chunk is parsed or
        serialised again, which is most of the server's CPU per event (docs/performance.md).
        Otherwise (and for models a :class:`ChatGuard` guards) the typed chunks of
        :meth:`chat_completion` are serialised, so wrappers of ``plugstack_api_call`` and
        guards always see typed chunks. Either way, errors before the first event raise here.
        """
        model, provider, provider_request = self._resolve("chat_completion", request, want="llm")
        relay = optional_method(provider, "chat_completion_sse")
        guarded = self.chat_guard is not None and self.chat_guard.guards(request.model)
        if relay is None or guarded or calls_are_wrapped(self.pm):
            return json_payloads(await self.chat_completion(request))  # type: ignore[arg-type]
        payloads: AsyncIterator[bytes] = await relay(provider_request)
        return _renamed_payloads(payloads, request.model, model.provider_id)

    async def completion(
        self, request: CompletionRequest | None = None, /, **params: Any
    ) -> Completion | AsyncIterator[Completion]:
        """Text completion; with ``stream=True`` an async iterator of completion chunks."""
        request = validate_request(CompletionRequest, request, params)
        result: Completion | AsyncIterator[Completion] = await self._route("completion", request, want="llm")
        return result

    async def embeddings(self, request: EmbeddingsRequest | None = None, /, **params: Any) -> EmbeddingsResponse:
        """Embeddings; ``encoding_format="base64"`` is encoded here from the provider's floats."""
        request = validate_request(EmbeddingsRequest, request, params)
        wants_base64 = request.encoding_format == "base64"
        if wants_base64:
            request = request.model_copy(update={"encoding_format": "float"})
        response: EmbeddingsResponse = await self._route("embeddings", request, want="embedding")
        if wants_base64:
            for item in response.data:
                if isinstance(item.embedding, list):
                    item.embedding = _float32_base64(item.embedding)
        return response

    def _resolve(self, method: str, request: RequestT, *, want: str) -> tuple[Model, Any, RequestT]:
        """The model, its provider, and ``request`` as the provider gets it (its own model id)."""
        model = self.table.resolve(request.model)  # type: ignore[attr-defined]
        if model.model_type != want:
            kind = "an embedding model" if model.model_type == "embedding" else "not an embedding model"
            raise BadRequestError(f"model {model.id!r} is {kind}; it cannot serve {method}", param="model")
        provider = self.table.providers[model.provider_id]
        return model, provider, request.model_copy(update={"model": model.provider_resource_id})

    async def _route(self, method: str, request: Any, *, want: str) -> Any:
        _, provider, provider_request = self._resolve(method, request, want=want)
        result = await call_api(self.pm, "inference", method, getattr(provider, method), request=provider_request)
        if isinstance(result, BaseModel):
            result.model = request.model  # type: ignore[attr-defined]
            return result
        return _renamed_stream(result, request.model)


async def _renamed_stream(chunks: AsyncIterator[Any], model_id: str) -> AsyncIterator[Any]:
    """``chunks`` answering as ``model_id``.

    Most upstreams already answer with the id they were asked for: comparing is cheaper
    than pydantic's ``__setattr__``, which would otherwise run for every chunk.
    """
    try:
        async for chunk in chunks:
            if chunk.model != model_id:
                chunk.model = model_id
            yield chunk
    finally:
        # closing our generator (client gone) must close the provider's stream too
        await aclose(chunks)


async def json_payloads(chunks: AsyncIterator[BaseModel]) -> AsyncIterator[bytes]:
    """Each chunk as its JSON bytes, serialised as it comes (no chunk is kept alive)."""
    try:
        async for chunk in chunks:
            yield chunk.model_dump_json().encode()
    finally:
        await aclose(chunks)


# The first ``"model": "..."`` of an event. A quote inside a JSON string is escaped, so an
# unescaped ``"model"`` followed by a colon is a key; _renamed_payload makes sure it is the
# top-level one.
_MODEL_VALUE = re.compile(rb'"model"\s*:\s*("(?:[^"\\]|\\.)*")')


async def _renamed_payloads(payloads: AsyncIterator[bytes], model_id: str, provider_id: str) -> AsyncIterator[bytes]:
    """``payloads`` answering as ``model_id`` (the bytes counterpart of ``_renamed_stream``)."""
    wanted = json.dumps(model_id).encode()
    try:
        async for payload in payloads:
            yield _renamed_payload(payload, model_id, wanted, provider_id)
    finally:
        await aclose(payloads)


def _renamed_payload(payload: bytes, model_id: str, wanted: bytes, provider_id: str) -> bytes:
    """``payload`` with its top-level ``"model"`` value set to ``model_id`` (JSON ``wanted``).

    The fast path edits the bytes: the first ``"model"`` key is the top-level one when
    nothing before it opened a nested object (the usual order puts ``id``, ``object``,
    ``created`` and ``model`` first). Any other layout is decoded and encoded again.
    """
    match = _MODEL_VALUE.search(payload)
    if match is not None and payload.count(b"{", 0, match.start()) == 1:
        if match[1] == wanted:
            return payload
        return payload[: match.start(1)] + wanted + payload[match.end(1) :]
    try:
        event = json.loads(payload)
    except ValueError:
        raise ProviderError("the upstream sent an event that is not JSON", provider_id=provider_id) from None
    if not isinstance(event, dict):
        raise ProviderError("the upstream sent an event that is not a JSON object", provider_id=provider_id)
    event["model"] = model_id
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()


def _float32_base64(values: list[float]) -> str:
    return base64.b64encode(struct.pack(f"<{len(values)}f", *values)).decode("ascii")
