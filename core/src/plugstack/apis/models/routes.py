"""``/v1/models``: list, get, register and unregister models (the models routing table)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from plugstack.apis.models import Model, ModelList, RegisterModelRequest
from plugstack.server.routing import ApiRoute, json_response, read_body

if TYPE_CHECKING:
    from plugstack.stack import Stack

__all__ = ["ModelDeleted", "routes"]


class ModelDeleted(BaseModel):
    """What ``DELETE /v1/models/{id}`` answers, as OpenAI does."""

    id: str
    object: Literal["model"] = "model"
    deleted: bool = True


def routes(stack: Stack) -> list[ApiRoute]:
    async def list_models(request: Request) -> Response:
        return json_response(await stack.models.list_models())

    async def get_model(request: Request) -> Response:
        return json_response(await stack.models.get_model(request.path_params["model_id"]))

    async def register_model(request: Request) -> Response:
        body = await read_body(request, RegisterModelRequest)
        return json_response(await stack.models.register_model(body))

    async def unregister_model(request: Request) -> Response:
        model_id = request.path_params["model_id"]
        await stack.models.unregister_model(model_id)
        return json_response(ModelDeleted(id=model_id))

    return [
        ApiRoute(
            "/v1/models", list_models, method="GET", summary="List models", tag="models", response_model=ModelList
        ),
        ApiRoute(
            "/v1/models",
            register_model,
            method="POST",
            summary="Register a model: serve a provider's model under an id",
            tag="models",
            request_model=RegisterModelRequest,
            response_model=Model,
        ),
        ApiRoute(
            "/v1/models/{model_id:path}",
            get_model,
            method="GET",
            summary="Retrieve a model",
            tag="models",
            response_model=Model,
        ),
        ApiRoute(
            "/v1/models/{model_id:path}",
            unregister_model,
            method="DELETE",
            summary="Unregister a model registered through the API or run config",
            tag="models",
            response_model=ModelDeleted,
        ),
    ]
