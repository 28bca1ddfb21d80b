"""Inference: chat completions, completions and embeddings in the OpenAI wire format, routed by model id."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plugstack.apis.definition import ApiDefinition, lazy_reexport

if TYPE_CHECKING:
    from plugstack.apis.inference.provider import Inference
    from plugstack.apis.inference.types import (
        ChatCompletion,
        ChatCompletionChunk,
        ChatCompletionRequest,
        ChatMessage,
        Choice,
        ChunkChoice,
        Completion,
        CompletionChoice,
        CompletionRequest,
        Embedding,
        EmbeddingsRequest,
        EmbeddingsResponse,
        EmbeddingsUsage,
        ResponseMessage,
        Usage,
    )

__all__ = [
    "API",
    "ChatCompletion",
    "ChatCompletionChunk",
    "ChatCompletionRequest",
    "ChatMessage",
    "Choice",
    "ChunkChoice",
    "Completion",
    "CompletionChoice",
    "CompletionRequest",
    "Embedding",
    "EmbeddingsRequest",
    "EmbeddingsResponse",
    "EmbeddingsUsage",
    "Inference",
    "ResponseMessage",
    "Usage",
]

API = ApiDefinition(
    name="inference",
    description="chat completions, completions and embeddings (OpenAI wire format), routed by model id",
    hookspecs="plugstack.apis.inference.hookspec",
    registration_hook="plugstack_inference_providers",
    protocol="plugstack.apis.inference.provider:Inference",
    optional_methods=frozenset({"chat_completion_sse"}),
    router="plugstack.apis.inference.router:build_routers",
    routing_table="models",
    routes="plugstack.apis.inference.routes:routes",
    route_order=0,  # the hot routes first
    resources=("models",),
)

__getattr__ = lazy_reexport(__name__, "types", "provider")
