"""The ``remote::anthropic`` adapter: OpenAI chat requests through the Messages API.

Translation lives in :mod:`plugstack_anthropic.messages`; this module only calls the
official SDK, on its aiohttp-backed client, and maps its errors.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import AsyncIterator
from typing import Any

import anthropic
from anthropic.resources.messages import AsyncMessages

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
from plugstack.errors import ConfigError, NotImplementedByProviderError
from plugstack.provider_context import ProviderContext
from plugstack_anthropic.config import AnthropicConfig
from plugstack_anthropic.errors import to_plugstack_error
from plugstack_anthropic.messages import (
    MessageStreamTranslator,
    chat_completion_from_message,
    json_tool_name,
    messages_request,
)

__all__ = ["AnthropicInferenceAdapter", "create_provider"]

_OWNED_BY = "anthropic"  # the owner of the models (Model.owned_by)

# Parameters the SDK's create() names (this SDK version has no sampling parameters, for
# instance); the rest of a request travels in extra_body, as the Messages API takes them.
_SDK_PARAMS = frozenset(inspect.signature(AsyncMessages.create).parameters) - {
    "self",
    "extra_headers",
    "extra_query",
    "extra_body",
    "timeout",
}


def create_provider(config: AnthropicConfig, context: ProviderContext) -> AnthropicInferenceAdapter:
    return AnthropicInferenceAdapter(config, provider_id=context.provider_id)


class AnthropicInferenceAdapter:
    """Implements :class:`plugstack.apis.inference.Inference` for Anthropic.

    ``provider_id`` is the provider's id in the run config; its errors name it.
    """

    def __init__(self, config: AnthropicConfig, *, provider_id: str = "anthropic") -> None:
        self.config = config
        self.provider_id = provider_id
        self._secret = config.api_key.get_secret_value() if config.api_key else os.environ.get("ANTHROPIC_API_KEY")
        if not self._secret:
            raise ConfigError(
                f"provider {provider_id!r} (remote::anthropic) needs api_key (or ANTHROPIC_API_KEY in the environment)"
            )
        self.client = anthropic.AsyncAnthropic(
            api_key=self._secret,
            base_url=config.base_url,
            timeout=config.timeout,
            max_retries=config.max_retries,
            http_client=anthropic.DefaultAioHttpClient(timeout=config.timeout),
        )

    async def shutdown(self) -> None:
        await self.client.close()

    async def health(self) -> dict[str, Any]:
        """OK when Anthropic answers an authenticated request (one page of models)."""
        try:
            await self.client.models.list(limit=1)
        except anthropic.APIError as exc:
            raise to_plugstack_error(exc, self._secret, provider_id=self.provider_id) from None
        return {"status": "OK"}

    async def list_models(self) -> list[Model]:
        if self.config.models is not None:
            return [Model(id=m, owned_by=_OWNED_BY, provider_resource_id=m) for m in self.config.models]
        models = []
        try:
            async for info in self.client.models.list(limit=1000):
                display_name = getattr(info, "display_name", None)
                metadata = {"display_name": display_name} if display_name else {}
                models.append(Model(id=info.id, owned_by=_OWNED_BY, provider_resource_id=info.id, metadata=metadata))
        except anthropic.APIError as exc:
            raise to_plugstack_error(exc, self._secret, provider_id=self.provider_id) from None
        return models

    async def chat_completion(
        self, request: ChatCompletionRequest
    ) -> ChatCompletion | AsyncIterator[ChatCompletionChunk]:
        params = messages_request(request, default_max_tokens=self.config.default_max_tokens)
        json_tool = json_tool_name(request)
        known = {k: v for k, v in params.items() if k in _SDK_PARAMS}
        extra = {k: v for k, v in params.items() if k not in _SDK_PARAMS}
        try:
            response = await self.client.messages.create(
                **known,
                stream=bool(request.stream),
                extra_body=extra or None,
                # an explicit timeout also keeps the SDK from refusing a large non-streamed max_tokens
                timeout=self.config.timeout,
            )
        except anthropic.APIError as exc:
            raise to_plugstack_error(exc, self._secret, provider_id=self.provider_id) from None
        if isinstance(response, anthropic.types.Message):
            return chat_completion_from_message(response.model_dump(), model=request.model, json_tool=json_tool)
        translator = MessageStreamTranslator(
            model=request.model,
            include_usage=bool((request.stream_options or {}).get("include_usage")),
            json_tool=json_tool,
        )
        return self._chunks(response, translator)

    async def _chunks(self, stream: Any, translator: MessageStreamTranslator) -> AsyncIterator[ChatCompletionChunk]:
        try:
            async for event in stream:
                for chunk in translator.chunks(event.model_dump()):
                    yield chunk
        except anthropic.APIError as exc:
            raise to_plugstack_error(exc, self._secret, provider_id=self.provider_id) from None
        finally:
            await stream.close()

    async def completion(self, request: CompletionRequest) -> Completion | AsyncIterator[Completion]:
        raise NotImplementedByProviderError("remote::anthropic has no legacy text completions; use chat completions")

    async def embeddings(self, request: EmbeddingsRequest) -> EmbeddingsResponse:
        raise NotImplementedByProviderError("Anthropic serves no embedding models")
