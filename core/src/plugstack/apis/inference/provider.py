"""What an inference provider implements: the :class:`Inference` Protocol."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Protocol, runtime_checkable

from plugstack.apis.inference.types import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionRequest,
    Completion,
    CompletionRequest,
    EmbeddingsRequest,
    EmbeddingsResponse,
)

__all__ = ["Inference"]


@runtime_checkable
class Inference(Protocol):
    """What an inference provider implements.

    ``request.model`` is the provider's own model id (the routing table has already
    translated the user's id). Return the response with any ``model`` value; the router
    puts the user's id back. A provider that lacks an operation raises
    :class:`plugstack.errors.NotImplementedByProviderError`.
    """

    async def chat_completion(
        self, request: ChatCompletionRequest
    ) -> ChatCompletion | AsyncIterator[ChatCompletionChunk]: ...

    async def completion(self, request: CompletionRequest) -> Completion | AsyncIterator[Completion]: ...

    async def embeddings(self, request: EmbeddingsRequest) -> EmbeddingsResponse: ...

    async def list_models(self) -> list[Any]:
        """The models this provider serves now, as :class:`plugstack.apis.models.Model`."""
        ...
