"""The ``remote::groq`` adapter: OpenAI-wire requests through the official groq SDK.

Groq speaks the OpenAI wire protocol (under ``/openai/v1``), so requests pass through
almost unchanged: parameters the SDK names are passed as such, any other (a newer OpenAI
field, a provider extension) goes in the body untouched. HTTP runs on the SDK's
aiohttp-backed client, which sustains far more concurrent requests than plain httpx.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from typing import Any

import groq
from groq.resources.chat.completions import AsyncCompletions

from plugstack.apis.inference import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionRequest,
    Completion,
    CompletionRequest,
    EmbeddingsRequest,
    EmbeddingsResponse,
    Usage,
)
from plugstack.apis.models import Model
from plugstack.errors import ConfigError, NotImplementedByProviderError
from plugstack.provider_context import ProviderContext
from plugstack_groq.config import GroqConfig
from plugstack_groq.errors import to_plugstack_error

__all__ = ["GroqInferenceAdapter", "create_provider", "name_tool_calls_once", "usage_chunk_from_x_groq"]

_OWNED_BY = "groq"  # the owner of configured models (Model.owned_by)

# Parameters the SDK's create() names; the rest of a request travels in extra_body.
_SDK_CHAT_PARAMS = frozenset(inspect.signature(AsyncCompletions.create).parameters) - {
    "self",
    "extra_headers",
    "extra_query",
    "extra_body",
    "timeout",
}


def create_provider(config: GroqConfig, context: ProviderContext) -> GroqInferenceAdapter:
    return GroqInferenceAdapter(config, provider_id=context.provider_id)


class GroqInferenceAdapter:
    """Implements :class:`plugstack.apis.inference.Inference` for Groq.

    ``provider_id`` is the provider's id in the run config; its errors name it.
    """

    def __init__(self, config: GroqConfig, *, provider_id: str = "groq") -> None:
        self.config = config
        self.provider_id = provider_id
        self._secret = config.api_key.get_secret_value() if config.api_key else None
        try:
            self.client = groq.AsyncGroq(
                api_key=self._secret,  # None: the SDK reads GROQ_API_KEY
                base_url=config.base_url,
                timeout=config.timeout,
                max_retries=config.max_retries,
                http_client=groq.DefaultAioHttpClient(timeout=config.timeout),
            )
        except groq.GroqError:
            raise ConfigError(
                f"provider {provider_id!r} (remote::groq) needs api_key (or GROQ_API_KEY in the environment)"
            ) from None

    async def shutdown(self) -> None:
        await self.client.close()

    async def health(self) -> dict[str, Any]:
        """OK when Groq answers an authenticated request (listing the models)."""
        try:
            await self.client.models.list()
        except groq.APIError as exc:
            raise to_plugstack_error(exc, self._secret, provider_id=self.provider_id) from None
        return {"status": "OK"}

    async def list_models(self) -> list[Model]:
        if self.config.models is not None:
            return [Model(id=m, owned_by=_OWNED_BY, provider_resource_id=m) for m in self.config.models]
        try:
            page = await self.client.models.list()
        except groq.APIError as exc:
            raise to_plugstack_error(exc, self._secret, provider_id=self.provider_id) from None
        return [
            Model(
                id=m.id,
                owned_by=m.owned_by or _OWNED_BY,
                provider_resource_id=m.id,
                metadata={k: v for k, v in (m.model_extra or {}).items() if k in ("context_window", "active")},
            )
            for m in page.data
            if (m.model_extra or {}).get("active", True)
        ]

    async def chat_completion(
        self, request: ChatCompletionRequest
    ) -> ChatCompletion | AsyncIterator[ChatCompletionChunk]:
        body = request.model_dump(exclude_none=True)
        # messages as the caller sent them: an assistant turn's explicit "content": null stays
        body["messages"] = [m.model_dump(exclude_unset=True) for m in request.messages]
        include_usage = bool((request.stream_options or {}).get("include_usage"))
        known = {k: v for k, v in body.items() if k in _SDK_CHAT_PARAMS}
        extra = {k: v for k, v in body.items() if k not in _SDK_CHAT_PARAMS}
        try:
            response = await self.client.chat.completions.create(**known, extra_body=extra or None)
        except groq.APIError as exc:
            raise to_plugstack_error(exc, self._secret, provider_id=self.provider_id) from None
        if not request.stream:
            return ChatCompletion.model_validate(response.model_dump(exclude_unset=True))
        return self._chunks(response, include_usage)

    async def _chunks(self, stream: Any, include_usage: bool) -> AsyncIterator[ChatCompletionChunk]:
        """Chunks as they arrive, then the usage chunk that Groq reports as ``x_groq.usage``."""
        usage_sent = False
        last: ChatCompletionChunk | None = None
        started_calls: set[tuple[int, int]] = set()
        try:
            async for raw in stream:
                chunk = ChatCompletionChunk.model_validate(raw.model_dump(exclude_unset=True))
                name_tool_calls_once(chunk, started_calls)
                usage_sent = usage_sent or chunk.usage is not None
                last = chunk
                yield chunk
        except groq.APIError as exc:
            raise to_plugstack_error(exc, self._secret, provider_id=self.provider_id) from None
        finally:
            await stream.close()
        if include_usage and not usage_sent and last is not None:
            usage_chunk = usage_chunk_from_x_groq(last)
            if usage_chunk is not None:
                yield usage_chunk

    async def completion(self, request: CompletionRequest) -> Completion | AsyncIterator[Completion]:
        raise NotImplementedByProviderError("remote::groq has no legacy text completions; use chat completions")

    async def embeddings(self, request: EmbeddingsRequest) -> EmbeddingsResponse:
        if request.dimensions is not None:
            raise NotImplementedByProviderError("remote::groq does not support the dimensions parameter")
        try:
            response = await self.client.embeddings.create(
                input=request.input,  # type: ignore[arg-type]
                model=request.model,
                encoding_format="float",
            )
        except groq.APIError as exc:
            raise to_plugstack_error(exc, self._secret, provider_id=self.provider_id) from None
        return EmbeddingsResponse.model_validate(response.model_dump(exclude_unset=True))


def usage_chunk_from_x_groq(last: ChatCompletionChunk) -> ChatCompletionChunk | None:
    """The OpenAI final usage chunk for Groq's last chunk, which carries ``x_groq.usage``."""
    usage = ((last.model_extra or {}).get("x_groq") or {}).get("usage")
    if not usage:
        return None
    return ChatCompletionChunk(
        id=last.id, created=last.created, model=last.model, choices=[], usage=Usage.model_validate(usage)
    )


def name_tool_calls_once(chunk: ChatCompletionChunk, started: set[tuple[int, int]]) -> None:
    """Keep a tool call's ``id``, ``type`` and ``name`` in its first delta only.

    OpenAI clients concatenate the name fragments of a call's deltas; some OpenAI-wire
    servers repeat the whole name in every delta, which would read as "fff...".
    """
    for choice in chunk.choices:
        for call in choice.delta.get("tool_calls") or []:
            key = (choice.index, call.get("index", 0))
            if key not in started:
                started.add(key)
                continue
            for field in ("id", "type"):
                call.pop(field, None)
            if isinstance(call.get("function"), dict):
                call["function"].pop("name", None)
