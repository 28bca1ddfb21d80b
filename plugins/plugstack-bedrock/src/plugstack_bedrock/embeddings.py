"""Embeddings through InvokeModel: the request and response bodies of each model family.

Bedrock has no common embeddings API: Titan embeds one text per call, Cohere a batch of
up to 96. These functions only build and read the JSON bodies; the adapter calls.
"""

from __future__ import annotations

from typing import Any, Literal

from plugstack.errors import BadRequestError, NotImplementedByProviderError

__all__ = [
    "COHERE_BATCH",
    "EmbeddingFamily",
    "cohere_body",
    "embedding_family",
    "read_cohere",
    "read_titan",
    "texts_of",
    "titan_body",
]

EmbeddingFamily = Literal["titan", "cohere"]
COHERE_BATCH = 96


def embedding_family(model_id: str) -> EmbeddingFamily:
    """Which body format ``model_id`` speaks (an ARN or inference profile id works too)."""
    name = model_id.rsplit("/", 1)[-1].lower()
    if "amazon.titan-embed" in name:
        return "titan"
    if "cohere.embed" in name:
        return "cohere"
    raise NotImplementedByProviderError(
        f"remote::bedrock embeds with Amazon Titan or Cohere embedding models, not {model_id!r}"
    )


def texts_of(value: str | list[str] | list[int] | list[list[int]]) -> list[str]:
    """The input texts; Bedrock embedding models take text, never token ids."""
    texts = [value] if isinstance(value, str) else value
    if not texts or not all(isinstance(t, str) for t in texts):
        raise BadRequestError("remote::bedrock embeds text: input must be a string or a list of strings", param="input")
    return texts  # type: ignore[return-value]


def titan_body(text: str, dimensions: int | None) -> dict[str, Any]:
    body: dict[str, Any] = {"inputText": text}
    if dimensions is not None:
        body["dimensions"] = dimensions  # Titan v2: 256, 512 or 1024
    return body


def read_titan(body: dict[str, Any]) -> tuple[list[float], int]:
    """The vector and the input token count of a Titan response."""
    if "embedding" not in body:
        raise ValueError(f"not a Titan embeddings response: keys {sorted(body)}")
    return [float(x) for x in body["embedding"]], int(body.get("inputTextTokenCount") or 0)


def cohere_body(texts: list[str], dimensions: int | None) -> dict[str, Any]:
    if dimensions is not None:
        raise NotImplementedByProviderError("Cohere embedding models on Bedrock have a fixed dimension")
    return {"texts": texts, "input_type": "search_document", "embedding_types": ["float"]}


def read_cohere(body: dict[str, Any]) -> list[list[float]]:
    """The vectors of a Cohere response: ``embeddings`` is a list, or ``{"float": list}``."""
    embeddings = body.get("embeddings")
    if isinstance(embeddings, dict):
        embeddings = embeddings.get("float")
    if not isinstance(embeddings, list):
        raise ValueError(f"not a Cohere embeddings response: keys {sorted(body)}")
    return [[float(x) for x in vector] for vector in embeddings]
