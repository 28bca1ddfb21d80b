"""``/v1/chat/completions`` (and its stored completions), ``/v1/completions`` and ``/v1/embeddings``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
from plugstack.apis.inference.types import (
    ChatCompletionDeleted,
    ChatCompletionList,
    ChatMessageList,
    StoredChatCompletion,
    UpdateChatCompletionRequest,
)
from plugstack.errors import BadRequestError, PlugstackError
from plugstack.server.routing import ApiRoute, json_response, query_int, read_body, request_info
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


def metadata_filter(request: Request) -> dict[str, str] | None:
    """The ``metadata[key]=value`` query parameters (OpenAI's filter of stored completions)."""
    pairs: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if name.startswith("metadata[") and name.endswith("]"):
            key = name[len("metadata[") : -1]
            if not key:
                raise BadRequestError("metadata filters are metadata[key]=value; the key is empty", param="metadata")
            pairs[key] = value
        elif name == "metadata":
            raise BadRequestError("metadata filters are metadata[key]=value", param="metadata")
    return pairs or None


def page_params(request: Request) -> dict[str, Any]:
    """``after``, ``limit`` and ``order`` (OpenAI's defaults: 20, ascending); the router checks them."""
    return {
        "after": request.query_params.get("after"),
        "limit": query_int(request, "limit", 20),
        "order": request.query_params.get("order", "asc"),
    }


def routes(stack: Stack) -> list[ApiRoute]:
    async def chat_completions(request: Request) -> Response:
        body = await read_body(request, ChatCompletionRequest)
        note_model(request, stack, body.model)
        if body.stream:
            return await open_event_stream(await stack.inference.chat_completion_stream_bytes(body))  # type: ignore[return-value]
        return json_response(await stack.inference.chat_completion(body))  # type: ignore[arg-type]

    def completion_id(request: Request) -> str:
        return str(request.path_params["completion_id"])

    async def list_chat_completions(request: Request) -> Response:
        listed = await stack.inference.list_chat_completions(
            **page_params(request), model=request.query_params.get("model"), metadata=metadata_filter(request)
        )
        return json_response(listed)

    async def get_chat_completion(request: Request) -> Response:
        return json_response(await stack.inference.get_chat_completion(completion_id(request)))

    async def update_chat_completion(request: Request) -> Response:
        body = await read_body(request, UpdateChatCompletionRequest)
        return json_response(await stack.inference.update_chat_completion(completion_id(request), body))

    async def delete_chat_completion(request: Request) -> Response:
        return json_response(await stack.inference.delete_chat_completion(completion_id(request)))

    async def list_chat_completion_messages(request: Request) -> Response:
        listed = await stack.inference.list_chat_completion_messages(completion_id(request), **page_params(request))
        return json_response(listed)

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
            "/v1/chat/completions",
            list_chat_completions,
            method="GET",
            summary="List stored chat completions (after, limit, order, model, metadata[key]=value)",
            tag="inference",
            response_model=ChatCompletionList,
        ),
        ApiRoute(
            "/v1/chat/completions/{completion_id}",
            get_chat_completion,
            method="GET",
            summary="Get a stored chat completion",
            tag="inference",
            response_model=StoredChatCompletion,
        ),
        ApiRoute(
            "/v1/chat/completions/{completion_id}",
            update_chat_completion,
            method="POST",
            summary="Update a stored chat completion's metadata",
            tag="inference",
            request_model=UpdateChatCompletionRequest,
            response_model=StoredChatCompletion,
        ),
        ApiRoute(
            "/v1/chat/completions/{completion_id}",
            delete_chat_completion,
            method="DELETE",
            summary="Delete a stored chat completion",
            tag="inference",
            response_model=ChatCompletionDeleted,
        ),
        ApiRoute(
            "/v1/chat/completions/{completion_id}/messages",
            list_chat_completion_messages,
            method="GET",
            summary="List the request messages of a stored chat completion (after, limit, order)",
            tag="inference",
            response_model=ChatMessageList,
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
