"""Embedding for vector stores: batched calls to the inference router, and each store's model.

Backends receive vectors, never text to embed: ingestion and search both embed here, with
the store's embedding model, so a store's chunks and its queries share one vector space.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from plugstack.apis.inference.router import InferenceRouter
from plugstack.apis.vector_io import VectorStore
from plugstack.errors import BadRequestError
from plugstack.protocols import optional_attribute

__all__ = ["StoreEmbedder"]

_EMBED_BATCH = 64


class StoreEmbedder:
    def __init__(self, inference: InferenceRouter, providers: Mapping[str, Any]) -> None:
        self.inference = inference
        self.providers = providers  # vector_io provider_id -> provider, for its default model

    async def embed(self, store: VectorStore, texts: Sequence[str]) -> list[list[float]]:
        """One vector per text, in order, in batches of at most 64 texts per call."""
        assert store.embedding_model is not None
        vectors: list[list[float]] = []
        for start in range(0, len(texts), _EMBED_BATCH):
            batch = list(texts[start : start + _EMBED_BATCH])
            response = await self.inference.embeddings(model=store.embedding_model, input=batch)
            vectors.extend(item.embedding for item in sorted(response.data, key=lambda d: d.index))  # type: ignore[misc]
        return vectors

    async def default_model(self, provider_id: str) -> str:
        """The provider's configured ``default_embedding_model``, else the first embedding model served."""
        configured = optional_attribute(self.providers[provider_id], "default_embedding_model")
        if configured:
            return str(configured)
        for model in (await self.inference.table.list_models()).data:
            if model.model_type == "embedding":
                return model.id
        raise BadRequestError(
            "no embedding model: set embedding_model on the vector store or in the vector_io provider's config, "
            "or enable an inference provider that serves an embedding model",
            param="embedding_model",
        )

    async def dimension(self, model_id: str) -> int:
        """The model's vector length: from its metadata, or measured by embedding a probe."""
        model = self.inference.table.resolve(model_id)
        if model.model_type != "embedding":
            raise BadRequestError(f"model {model_id!r} is not an embedding model", param="embedding_model")
        dimension = model.metadata.get("embedding_dimension")
        if isinstance(dimension, int):
            return dimension
        response = await self.inference.embeddings(model=model_id, input=["dimension probe"])
        return len(response.data[0].embedding)
