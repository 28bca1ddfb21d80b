"""``/v1/chat/completions``, ``/v1/completions`` and ``/v1/embeddings``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from plugstack.apis.inference import (
    ChatCompletion,
    ChatCompletionRequest,
    Completion,
    CompletionRequest,
    EmbeddingsRequest,
    EmbeddingsResponse,
)
from plugstack.apis.inference.router import json_payloads
from plugstack.errors import PlugstackError
from plugstack.server.routing import ApiRoute, json_response, read_body, request_info
from plugstack.server.sse import open_event_stream

if TYPE_CHECKING:
    from plugstack.stack import Stack

__all__ = ["routes"]


def note_model(request: Request, stack: Stack, model_id: str) -> None:
    """Record the model (and the provider serving it) for the access log and error messages."""
    info = request_info(request)
    info.model = model_id
    try:
        info.provider = stack.models.resolve(model_id).provider_id
    except PlugstackError:
        pass  # the call itself raises the 404 that names the known models


def routes(stack: Stack) -> list[ApiRoute]:
    async def chat_completions(request: Request) -> Response:
        body = await read_body(request, ChatCompletionRequest)
        note_model(request, stack, body.model)
        if body.stream:
            return await open_event_stream(await stack.inference.chat_completion_stream_bytes(body))  # type: ignore[return-value]
        return json_response(await stack.inference.chat_completion(body))  # type: ignore[arg-type]

    async def completions(request: Request) -> Response:
        body = await read_body(request, CompletionRequest)
        note_model(request, stack, body.model)
        result = await stack.inference.completion(body)
        if isinstance(result, BaseModel):
            return json_response(result)
        return await open_event_stream(json_payloads(result))  # type: ignore[return-value]

    async def embeddings(request: Request) -> Response:
        body = await read_body(request, EmbeddingsRequest)
        note_model(request, stack, body.model)
        return json_response(await stack.inference.embeddings(body))

    return [
        ApiRoute(
            "/v1/chat/completions",
            chat_completions,
            method="POST",
            summary="Create a chat completion (streams SSE chunks when stream is true)",
            tag="inference",
            request_model=ChatCompletionRequest,
            response_model=ChatCompletion,
            streams=True,
        ),
        ApiRoute(
            "/v1/completions",
            completions,
            method="POST",
            summary="Create a text completion (streams SSE chunks when stream is true)",
            tag="inference",
            request_model=CompletionRequest,
            response_model=Completion,
            streams=True,
        ),
        ApiRoute(
            "/v1/embeddings",
            embeddings,
            method="POST",
            summary="Create embeddings (float or base64)",
            tag="inference",
            request_model=EmbeddingsRequest,
            response_model=EmbeddingsResponse,
        ),
    ]
