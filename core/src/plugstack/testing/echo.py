"""``inline::echo``: a deterministic inference provider for testing the core.

It answers by echoing the last user message, word by word when streaming, so that
routing, the server and library/server parity can be tested without a model or network.
It is a test double: it is only registered in-process (``host.register(EchoPlugin(),
name="echo")``), never through an entry point.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import struct
from collections.abc import AsyncIterator
from typing import Any

from pydantic import BaseModel

import plugstack
from plugstack.apis import Api
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
from plugstack.errors import AuthenticationError, BadRequestError
from plugstack.provider_context import ProviderContext
from plugstack.provider_spec import ProviderSpec

__all__ = ["EchoConfig", "EchoPlugin", "EchoProvider"]


class EchoConfig(BaseModel):
    models: list[str] = ["echo-1"]
    embedding_models: list[str] = ["echo-embed"]
    embedding_dimension: int = 8
    delay_seconds: float = 0.0  # per streamed chunk: makes a slow provider
    api_key: str | None = None  # when set to "bad", every call fails authentication

    @classmethod
    def sample_run_config(cls) -> dict[str, Any]:
        return {"models": ["echo-1"]}


class EchoPlugin:
    @plugstack.hookimpl
    def plugstack_inference_providers(self) -> list[ProviderSpec]:
        return [
            ProviderSpec(
                api=Api.inference,
                provider_type="inline::echo",
                config_class="plugstack.testing.echo:EchoConfig",
                adapter_factory="plugstack.testing.echo:EchoProvider",
                description="test double: echoes the last user message",
            )
        ]


_ids = itertools.count(1)
MAX_DIMENSIONS = 4096


class EchoProvider:
    def __init__(self, config: EchoConfig, context: ProviderContext) -> None:
        self.config = config
        self.shut_down = False

    async def shutdown(self) -> None:
        self.shut_down = True

    async def list_models(self) -> list[Model]:
        return [Model(id=m, owned_by="echo") for m in self.config.models] + [
            Model(
                id=m,
                owned_by="echo",
                model_type="embedding",
                metadata={"embedding_dimension": self.config.embedding_dimension},
            )
            for m in self.config.embedding_models
        ]

    def _check_key(self) -> None:
        if self.config.api_key == "bad":
            raise AuthenticationError("echo: invalid api key")

    async def chat_completion(
        self, request: ChatCompletionRequest
    ) -> ChatCompletion | AsyncIterator[ChatCompletionChunk]:
        self._check_key()
        words, finish = self._answer(_last_user_text(request), request.max_output_tokens, request.stop)
        tool_call = self._tool_call(request)
        usage = {
            "prompt_tokens": _count_words(request),
            "completion_tokens": len(words),
            "total_tokens": _count_words(request) + len(words),
        }
        completion_id = f"chatcmpl-echo-{next(_ids)}"
        if not request.stream:
            message: dict[str, Any] = {"role": "assistant", "content": None if tool_call else " ".join(words)}
            if tool_call:
                message["tool_calls"] = [tool_call]
            choices = [
                {"index": i, "message": message, "finish_reason": "tool_calls" if tool_call else finish}
                for i in range(request.n or 1)
            ]
            return ChatCompletion(id=completion_id, model=request.model, choices=choices, usage=usage)  # type: ignore[arg-type]
        include_usage = bool((request.stream_options or {}).get("include_usage"))
        return self._stream(completion_id, request.model, words, finish, tool_call, usage if include_usage else None)

    async def _stream(
        self,
        completion_id: str,
        model: str,
        words: list[str],
        finish: str,
        tool_call: dict[str, Any] | None,
        usage: dict[str, int] | None,
    ) -> AsyncIterator[ChatCompletionChunk]:
        def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> ChatCompletionChunk:
            return ChatCompletionChunk(
                id=completion_id, model=model, choices=[{"index": 0, "delta": delta, "finish_reason": finish_reason}]
            )  # type: ignore[list-item]

        yield chunk({"role": "assistant", "content": ""})
        if tool_call:
            yield chunk({"tool_calls": [{"index": 0, **tool_call}]})
            yield chunk({}, "tool_calls")
        else:
            for i, word in enumerate(words):
                if self.config.delay_seconds:
                    await asyncio.sleep(self.config.delay_seconds)
                yield chunk({"content": word if i == 0 else " " + word})
            yield chunk({}, finish)
        if usage is not None:
            yield ChatCompletionChunk(id=completion_id, model=model, choices=[], usage=usage)  # type: ignore[arg-type]

    async def completion(self, request: CompletionRequest) -> Completion | AsyncIterator[Completion]:
        self._check_key()
        prompt = request.prompt if isinstance(request.prompt, str) else json.dumps(request.prompt)
        words, finish = self._answer(prompt, request.max_tokens, request.stop)
        completion_id = f"cmpl-echo-{next(_ids)}"
        if not request.stream:
            return Completion(
                id=completion_id,
                model=request.model,
                choices=[{"index": 0, "text": " ".join(words), "finish_reason": finish}],
            )  # type: ignore[list-item]

        async def stream() -> AsyncIterator[Completion]:
            for i, word in enumerate(words):
                yield Completion(
                    id=completion_id,
                    model=request.model,
                    choices=[{"index": 0, "text": word if i == 0 else " " + word}],
                )  # type: ignore[list-item]
            yield Completion(
                id=completion_id, model=request.model, choices=[{"index": 0, "text": "", "finish_reason": finish}]
            )  # type: ignore[list-item]

        return stream()

    async def embeddings(self, request: EmbeddingsRequest) -> EmbeddingsResponse:
        self._check_key()
        texts = [request.input] if isinstance(request.input, str) else [str(t) for t in request.input]
        dimension = request.dimensions or self.config.embedding_dimension
        if dimension > MAX_DIMENSIONS:  # like a real model, it has a largest size
            raise BadRequestError(f"echo: dimensions must be at most {MAX_DIMENSIONS}", param="dimensions")
        data = [{"index": i, "embedding": _hash_vector(text, dimension)} for i, text in enumerate(texts)]
        tokens = sum(len(t.split()) for t in texts)
        return EmbeddingsResponse(
            data=data, model=request.model, usage={"prompt_tokens": tokens, "total_tokens": tokens}
        )  # type: ignore[arg-type]

    @staticmethod
    def _answer(text: str, max_tokens: int | None, stop: str | list[str] | None) -> tuple[list[str], str]:
        for marker in [stop] if isinstance(stop, str) else stop or []:
            if marker in text:
                text = text[: text.index(marker)]
        words = text.split()
        if max_tokens is not None and len(words) > max_tokens:
            return words[:max_tokens], "length"
        return words, "stop"

    @staticmethod
    def _tool_call(request: ChatCompletionRequest) -> dict[str, Any] | None:
        """Call the first tool when tools are offered and the last message is not a tool result.

        The last user text goes into the tool's first required string parameter (``text``
        when it has none), so that tools such as ``file_search(query)`` get valid arguments.
        """
        if not request.tools or request.tool_choice == "none" or request.messages[-1].role == "tool":
            return None
        function = request.tools[0]["function"]
        arguments = {_first_required_string(function.get("parameters") or {}): _last_user_text(request)}
        return {
            "id": f"call_{next(_ids)}",
            "type": "function",
            "function": {"name": function["name"], "arguments": json.dumps(arguments)},
        }


def _first_required_string(schema: dict[str, Any]) -> str:
    """The first required property of ``schema`` that is a string, else ``text``."""
    properties = schema.get("properties") or {}
    for name in schema.get("required") or []:
        if isinstance(properties.get(name), dict) and properties[name].get("type") == "string":
            return str(name)
    return "text"


def _last_user_text(request: ChatCompletionRequest) -> str:
    for message in reversed(request.messages):
        if message.role in ("user", "tool"):
            content = message.content
            if isinstance(content, list):
                return " ".join(part.get("text", "") for part in content if part.get("type") == "text")
            return content or ""
    return ""


def _count_words(request: ChatCompletionRequest) -> int:
    return sum(len(m.content.split()) for m in request.messages if isinstance(m.content, str))


def _hash_vector(text: str, dimension: int) -> list[float]:
    digest = hashlib.sha256(text.encode()).digest() * (dimension // 8 + 1)
    raw = struct.unpack(
        f"<{dimension}H",
        digest[: 2 * dimension] if len(digest) >= 2 * dimension else (digest * dimension)[: 2 * dimension],
    )
    return [(v - 32768) / 32768 for v in raw]
