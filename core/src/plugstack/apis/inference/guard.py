"""``ChatGuard``: what checks the chat completions of guarded models (the safety API installs one)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from plugstack.apis.inference.types import ChatCompletion, ChatCompletionChunk, ChatCompletionRequest

__all__ = ["ChatGuard"]


class ChatGuard(Protocol):
    """Checks requests before and answers after inference, for the models it ``guards``.

    The inference router asks ``guards(model_id)`` (the id the caller named) on every chat
    completion; when true, ``check_request`` runs before the provider is called and
    ``check_completion`` on its answer, or ``guard_stream`` wraps its chunks. A check that
    fails raises a :class:`~plugstack.errors.PlugstackError` (in a stream: from the
    iterator, which ends the stream with an error event).
    """

    def guards(self, model_id: str) -> bool: ...

    async def check_request(self, request: ChatCompletionRequest) -> None: ...

    async def check_completion(self, request: ChatCompletionRequest, completion: ChatCompletion) -> None: ...

    def guard_stream(
        self, request: ChatCompletionRequest, chunks: AsyncIterator[ChatCompletionChunk]
    ) -> AsyncIterator[ChatCompletionChunk]: ...
