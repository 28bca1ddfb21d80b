"""Inference: chat completions, completions and embeddings in the OpenAI wire format.

Requests and responses are wire-compatible with the OpenAI API. Every model allows extra
fields, so provider-specific parameters and response fields pass through untouched.
Streaming calls return an async iterator of chunks; errors that happen before the first
chunk (unknown model, bad credentials) are raised by the call itself. Chat completions
created with ``store: true`` are kept by plugstack (:mod:`.stored_completions`) and read
back as :class:`StoredChatCompletion` and :class:`StoredChatMessage` pages.
"""

from __future__ import annotations

import time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from plugstack.apis.metadata import Metadata

__all__ = [
    "ChatCompletion",
    "ChatCompletionChunk",
    "ChatCompletionDeleted",
    "ChatCompletionList",
    "ChatCompletionRequest",
    "ChatMessage",
    "ChatMessageList",
    "Choice",
    "ChunkChoice",
    "Completion",
    "CompletionChoice",
    "CompletionRequest",
    "Embedding",
    "EmbeddingsRequest",
    "EmbeddingsResponse",
    "EmbeddingsUsage",
    "Metadata",
    "ResponseMessage",
    "StoredChatCompletion",
    "StoredChatMessage",
    "UpdateChatCompletionRequest",
    "Usage",
]


class _OpenAIModel(BaseModel):
    model_config = ConfigDict(extra="allow")


# -- requests ---------------------------------------------------------------------------


class ChatMessage(_OpenAIModel):
    """One message of a conversation; ``content`` is text or a list of content parts."""

    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[dict[str, Any]] | None = None
    name: str | None = None
    tool_calls: list[dict[str, Any]] | None = None
    tool_call_id: str | None = None


class ChatCompletionRequest(_OpenAIModel):
    """``POST /v1/chat/completions``."""

    model: str
    messages: list[ChatMessage] = Field(min_length=1)
    frequency_penalty: float | None = None
    logit_bias: dict[str, float] | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = None
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    n: int | None = Field(default=None, ge=1, le=128)  # OpenAI's own bound
    presence_penalty: float | None = None
    response_format: dict[str, Any] | None = None
    seed: int | None = None
    stop: str | list[str] | None = None
    stream: bool | None = None
    stream_options: dict[str, Any] | None = None
    temperature: float | None = Field(default=None, ge=0)
    top_p: float | None = None
    tools: list[dict[str, Any]] | None = None
    tool_choice: str | dict[str, Any] | None = None
    parallel_tool_calls: bool | None = None
    user: str | None = None
    # kept by plugstack, never sent to the provider (see InferenceRouter.chat_completion)
    store: bool | None = None
    metadata: Metadata | None = None

    @field_validator("tools")
    @classmethod
    def _check_tools(cls, tools: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
        # Tools stay plain dicts (providers translate them), but their shape is checked
        # here so that a malformed tool is a 400 naming it, not a provider's KeyError.
        for i, tool in enumerate(tools or []):
            function = tool.get("function")
            if tool.get("type", "function") != "function" or not isinstance(function, dict):
                raise ValueError(f"tools[{i}] must be {{'type': 'function', 'function': {{'name': ...}}}}")
            if not isinstance(function.get("name"), str) or not function["name"]:
                raise ValueError(f"tools[{i}].function.name must be a non-empty string")
            if "parameters" in function and not isinstance(function["parameters"], dict):
                raise ValueError(f"tools[{i}].function.parameters must be a JSON schema object")
        return tools

    @property
    def max_output_tokens(self) -> int | None:
        """``max_completion_tokens``, or the older ``max_tokens`` that it replaced."""
        return self.max_completion_tokens if self.max_completion_tokens is not None else self.max_tokens


class UpdateChatCompletionRequest(_OpenAIModel):
    """``POST /v1/chat/completions/{completion_id}``: replaces the metadata (``null`` clears it)."""

    metadata: Metadata | None


class CompletionRequest(_OpenAIModel):
    """``POST /v1/completions`` (legacy text completions)."""

    model: str
    prompt: str | list[str] | list[int] | list[list[int]]
    max_tokens: int | None = Field(default=None, ge=1)
    temperature: float | None = Field(default=None, ge=0)
    top_p: float | None = None
    n: int | None = Field(default=None, ge=1, le=128)  # OpenAI's own bound
    stream: bool | None = None
    stream_options: dict[str, Any] | None = None
    logprobs: int | None = None
    echo: bool | None = None
    stop: str | list[str] | None = None
    seed: int | None = None
    suffix: str | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    user: str | None = None


class EmbeddingsRequest(_OpenAIModel):
    """``POST /v1/embeddings``. Providers always return floats; the core encodes base64."""

    model: str
    input: str | list[str] | list[int] | list[list[int]]
    encoding_format: Literal["float", "base64"] | None = None
    dimensions: int | None = Field(default=None, ge=1)
    user: str | None = None


# -- responses --------------------------------------------------------------------------


class Usage(_OpenAIModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    prompt_tokens_details: dict[str, Any] | None = None
    completion_tokens_details: dict[str, Any] | None = None


class ResponseMessage(_OpenAIModel):
    role: Literal["assistant"] = "assistant"
    content: str | None = None
    refusal: str | None = None
    tool_calls: list[dict[str, Any]] | None = None


class Choice(_OpenAIModel):
    index: int = 0
    message: ResponseMessage
    finish_reason: str | None = None
    logprobs: dict[str, Any] | None = None


class ChatCompletion(_OpenAIModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int = Field(default_factory=lambda: int(time.time()))
    model: str
    choices: list[Choice]
    usage: Usage | None = None
    system_fingerprint: str | None = None


class StoredChatCompletion(ChatCompletion):
    """A chat completion created with ``store: true``, as ``GET /v1/chat/completions/{id}`` gives it."""

    metadata: dict[str, str] = Field(default_factory=dict)


class ChatCompletionList(_OpenAIModel):
    """``GET /v1/chat/completions``: a cursor page (``after`` takes the last id of the previous one)."""

    object: Literal["list"] = "list"
    data: list[StoredChatCompletion]
    first_id: str | None = None
    last_id: str | None = None
    has_more: bool = False


class ChatCompletionDeleted(_OpenAIModel):
    id: str
    object: Literal["chat.completion.deleted"] = "chat.completion.deleted"
    deleted: bool = True


class StoredChatMessage(_OpenAIModel):
    """One request message of a stored completion; its id is ``{completion_id}-{index}``.

    As in OpenAI, a message whose content was a list of parts has them in ``content_parts``
    and their text, joined, in ``content``.
    """

    id: str
    role: str
    content: str | None = None
    content_parts: list[dict[str, Any]] | None = None
    name: str | None = None
    tool_calls: list[dict[str, Any]] | None = None
    tool_call_id: str | None = None


class ChatMessageList(_OpenAIModel):
    """``GET /v1/chat/completions/{completion_id}/messages``: a cursor page of request messages."""

    object: Literal["list"] = "list"
    data: list[StoredChatMessage]
    first_id: str | None = None
    last_id: str | None = None
    has_more: bool = False


class ChunkChoice(_OpenAIModel):
    index: int = 0
    delta: dict[str, Any]
    finish_reason: str | None = None
    logprobs: dict[str, Any] | None = None


class ChatCompletionChunk(_OpenAIModel):
    id: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int = Field(default_factory=lambda: int(time.time()))
    model: str
    choices: list[ChunkChoice]
    usage: Usage | None = None
    system_fingerprint: str | None = None


class CompletionChoice(_OpenAIModel):
    index: int = 0
    text: str
    finish_reason: str | None = None
    logprobs: dict[str, Any] | None = None


class Completion(_OpenAIModel):
    """A text completion, or one chunk of a streamed one (same shape, as in OpenAI)."""

    id: str
    object: Literal["text_completion"] = "text_completion"
    created: int = Field(default_factory=lambda: int(time.time()))
    model: str
    choices: list[CompletionChoice]
    usage: Usage | None = None
    system_fingerprint: str | None = None


class Embedding(_OpenAIModel):
    object: Literal["embedding"] = "embedding"
    index: int
    embedding: list[float] | str


class EmbeddingsUsage(_OpenAIModel):
    prompt_tokens: int = 0
    total_tokens: int = 0


class EmbeddingsResponse(_OpenAIModel):
    object: Literal["list"] = "list"
    data: list[Embedding]
    model: str
    usage: EmbeddingsUsage = Field(default_factory=EmbeddingsUsage)
