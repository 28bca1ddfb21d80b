"""The ``inline::llama-cpp`` inference provider: GGUF models in-process, one worker thread per model.

Start-up resolves every configured file and reads its GGUF header (so a wrong path fails
at once); weights load on first use unless ``load_eagerly`` is set. Requests to one
model queue in arrival order (see :mod:`plugstack_llama_cpp.runner`); different models
run side by side.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, TypeVar

from plugstack.apis.inference import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionRequest,
    Choice,
    Completion,
    CompletionChoice,
    CompletionRequest,
    Embedding,
    EmbeddingsRequest,
    EmbeddingsResponse,
    EmbeddingsUsage,
    ResponseMessage,
)
from plugstack.apis.models import Model
from plugstack.errors import BadRequestError, ConfigError, NotFoundError, NotImplementedByProviderError
from plugstack.provider_context import ProviderContext
from plugstack_llama_cpp.chat import generate_chat, generate_chat_with_format, plan_chat
from plugstack_llama_cpp.completions import check_completion_request, generate_completion
from plugstack_llama_cpp.config import LlamaCppConfig, LlamaCppModelConfig
from plugstack_llama_cpp.gguf_file import read_gguf_info, resolve_model_path
from plugstack_llama_cpp.runner import ModelRunner

__all__ = ["LlamaCppInferenceProvider", "create_provider"]

T = TypeVar("T")


async def create_provider(config: LlamaCppConfig, context: ProviderContext) -> LlamaCppInferenceProvider:
    return LlamaCppInferenceProvider(config, provider_id=context.provider_id)


class LlamaCppInferenceProvider:
    """``provider_id`` is the provider's id in the run config; its start-up errors name it."""

    def __init__(self, config: LlamaCppConfig, *, provider_id: str = "llama-cpp") -> None:
        self.config = config
        self.provider_id = provider_id
        self.runners: dict[str, ModelRunner] = {}

    async def initialize(self) -> None:
        try:
            for model in self._model_configs():
                path = resolve_model_path(model.path, model_id=model.model_id)
                self.runners[model.model_id] = ModelRunner(model, read_gguf_info(path, model_id=model.model_id))
            if self.config.load_eagerly:
                for runner in self.runners.values():
                    await runner.load()
        except ConfigError as exc:  # which of the run config's providers cannot start
            raise ConfigError(f"provider {self.provider_id!r} (inline::llama-cpp): {exc.message}") from None

    async def shutdown(self) -> None:
        for runner in self.runners.values():
            await runner.close()

    async def health(self) -> dict[str, Any]:
        return {"status": "OK", "loaded_models": sorted(m for m, r in self.runners.items() if r.loaded)}

    async def list_models(self) -> list[Model]:
        return [
            Model(
                id=model_id,
                owned_by="llama-cpp",
                model_type="embedding" if runner.config.embedding else "llm",
                metadata=self._metadata(runner),
            )
            for model_id, runner in self.runners.items()
        ]

    async def chat_completion(
        self, request: ChatCompletionRequest
    ) -> ChatCompletion | AsyncIterator[ChatCompletionChunk]:
        runner = self._runner(request.model, embedding=False)
        if runner.config.chat_format is None and "tokenizer.chat_template" in runner.info.metadata:
            plan = plan_chat(request)
            chunks = runner.stream(lambda llama, stop: generate_chat(llama, request.model, request, plan, stop))
        else:
            if request.n not in (None, 1):
                raise NotImplementedByProviderError("inline::llama-cpp generates one choice per request (n must be 1)")
            chunks = runner.stream(lambda llama, stop: generate_chat_with_format(llama, request.model, request, stop))
        if request.stream:
            return await _started(chunks)
        return await _collect_chat(chunks)

    async def completion(self, request: CompletionRequest) -> Completion | AsyncIterator[Completion]:
        runner = self._runner(request.model, embedding=False)
        check_completion_request(request)
        chunks = runner.stream(lambda llama, stop: generate_completion(llama, request.model, request, stop))
        if request.stream:
            return await _started(chunks)
        return await _collect_completion(chunks)

    async def embeddings(self, request: EmbeddingsRequest) -> EmbeddingsResponse:
        runner = self._runner(request.model, embedding=True)
        texts = [request.input] if isinstance(request.input, str) else request.input
        if not all(isinstance(t, str) for t in texts):
            raise NotImplementedByProviderError("inline::llama-cpp embeds text input, not token ids")
        dimension = runner.info.embedding_length
        if request.dimensions is not None and request.dimensions != dimension:
            raise BadRequestError(
                f"model {request.model!r} makes {dimension}-dimensional embeddings; it cannot make {request.dimensions}",
                param="dimensions",
            )

        def embed(llama: Any) -> dict[str, Any]:
            try:
                return dict(llama.create_embedding(texts))
            except ValueError as exc:  # an input longer than the context, mostly
                raise BadRequestError(f"model {request.model!r}: {exc}", param="input") from None

        result = await runner.run(embed)
        return EmbeddingsResponse(
            model=request.model,
            data=[
                Embedding(index=i, embedding=[float(v) for v in item["embedding"]])
                for i, item in enumerate(result["data"])
            ],
            usage=EmbeddingsUsage(
                prompt_tokens=result["usage"]["prompt_tokens"], total_tokens=result["usage"]["total_tokens"]
            ),
        )

    @staticmethod
    def _metadata(runner: ModelRunner) -> dict[str, Any]:
        metadata = {**runner.info.summary(), "path": str(runner.info.path), "loaded": runner.loaded}
        if runner.config.embedding:
            metadata["embedding_dimension"] = runner.info.embedding_length
        return metadata

    def _runner(self, model_id: str, *, embedding: bool) -> ModelRunner:
        runner = self.runners.get(model_id)
        if runner is None:
            raise NotFoundError(
                f"inline::llama-cpp serves no model {model_id!r}", param="model", code="model_not_found"
            )
        if runner.config.embedding != embedding:
            kind = (
                "an embedding model; it serves only embeddings" if runner.config.embedding else "not an embedding model"
            )
            raise BadRequestError(f"model {model_id!r} is {kind}", param="model")
        return runner

    def _model_configs(self) -> list[LlamaCppModelConfig]:
        models = list(self.config.models)
        if self.config.models_dir is not None:
            folder = Path(self.config.models_dir).expanduser()
            if not folder.is_dir():
                raise ConfigError(f"models_dir {folder} is not a directory")
            taken = {m.model_id for m in models}
            models += [
                LlamaCppModelConfig(model_id=file.stem, path=str(file))
                for file in sorted(folder.glob("*.gguf"))
                if file.stem not in taken
            ]
        return models


async def _started(stream: AsyncIterator[T]) -> AsyncIterator[T]:
    """``stream`` with its first item already produced, so that errors before it raise here."""
    first = await anext(stream)

    async def rest() -> AsyncIterator[T]:
        try:
            yield first
            async for item in stream:
                yield item
        finally:
            await stream.aclose()  # type: ignore[attr-defined]

    return rest()


async def _collect_chat(chunks: AsyncIterator[ChatCompletionChunk]) -> ChatCompletion:
    """One :class:`ChatCompletion` from a stream of chunks (closing it if cancelled)."""
    content: list[str] = []
    logprobs: list[dict[str, Any]] = []
    tool_calls: list[dict[str, Any]] = []
    finish_reason = None
    first: ChatCompletionChunk | None = None
    usage = None
    try:
        async for chunk in chunks:
            first = first or chunk
            usage = chunk.usage or usage
            for choice in chunk.choices:
                content.append(choice.delta.get("content") or "")
                for call in choice.delta.get("tool_calls") or []:
                    tool_calls.append({k: v for k, v in call.items() if k != "index"})
                logprobs.extend((choice.logprobs or {}).get("content") or [])
                finish_reason = choice.finish_reason or finish_reason
    finally:
        await chunks.aclose()  # type: ignore[attr-defined]
    assert first is not None, "a chat stream always starts with the role chunk"
    message = ResponseMessage(content=None if tool_calls else "".join(content), tool_calls=tool_calls or None)
    return ChatCompletion(
        id=first.id,
        created=first.created,
        model=first.model,
        choices=[
            Choice(message=message, finish_reason=finish_reason, logprobs={"content": logprobs} if logprobs else None)
        ],
        usage=usage,
    )


async def _collect_completion(chunks: AsyncIterator[Completion]) -> Completion:
    text: list[str] = []
    finish_reason = None
    first: Completion | None = None
    usage = None
    merged: dict[str, list[Any]] = {}
    try:
        async for chunk in chunks:
            first = first or chunk
            usage = chunk.usage or usage
            for choice in chunk.choices:
                text.append(choice.text)
                finish_reason = choice.finish_reason or finish_reason
                for key, values in (choice.logprobs or {}).items():
                    merged.setdefault(key, []).extend(values)
    finally:
        await chunks.aclose()  # type: ignore[attr-defined]
    assert first is not None, "a completion stream yields at least its final chunk"
    choice = CompletionChoice(text="".join(text), finish_reason=finish_reason, logprobs=merged or None)
    return Completion(id=first.id, created=first.created, model=first.model, choices=[choice], usage=usage)
