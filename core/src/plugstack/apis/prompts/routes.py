"""``/v1/prompts``: Llama Stack's prompts API (create, list, get, update, delete, versions, default).

Updating a prompt and setting its default version are ``POST``; Llama Stack's clients have
sent ``PUT`` for them in some releases, so that is served too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from plugstack.apis.prompts import (
    CreatePromptRequest,
    ListPromptsResponse,
    Prompt,
    PromptDeleted,
    SetDefaultVersionRequest,
    UpdatePromptRequest,
)
from plugstack.server.routing import ApiRoute, json_response, query_int, read_body

if TYPE_CHECKING:
    from plugstack.stack import Stack

__all__ = ["routes"]


def routes(stack: Stack) -> list[ApiRoute]:
    def prompt_id(request: Request) -> str:
        return str(request.path_params["prompt_id"])

    async def create_prompt(request: Request) -> Response:
        body = await read_body(request, CreatePromptRequest)
        return json_response(await stack.prompts.create_prompt(body))

    async def list_prompts(request: Request) -> Response:
        return json_response(await stack.prompts.list_prompts())

    async def get_prompt(request: Request) -> Response:
        version = query_int(request, "version", 0) if "version" in request.query_params else None
        return json_response(await stack.prompts.get_prompt(prompt_id(request), version))

    async def update_prompt(request: Request) -> Response:
        body = await read_body(request, UpdatePromptRequest)
        return json_response(await stack.prompts.update_prompt(prompt_id(request), body))

    async def delete_prompt(request: Request) -> Response:
        return json_response(await stack.prompts.delete_prompt(prompt_id(request)))

    async def list_prompt_versions(request: Request) -> Response:
        return json_response(await stack.prompts.list_prompt_versions(prompt_id(request)))

    async def set_default_version(request: Request) -> Response:
        body = await read_body(request, SetDefaultVersionRequest)
        return json_response(await stack.prompts.set_default_version(prompt_id(request), body.version))

    # the PUT forms, each its own endpoint so that operation ids stay unique
    async def update_prompt_put(request: Request) -> Response:
        return await update_prompt(request)

    async def set_default_version_put(request: Request) -> Response:
        return await set_default_version(request)

    base = "/v1/prompts"
    prompt = base + "/{prompt_id}"
    tag = "prompts"
    return [
        ApiRoute(
            base,
            create_prompt,
            method="POST",
            summary="Create a prompt (version 1)",
            tag=tag,
            request_model=CreatePromptRequest,
            response_model=Prompt,
        ),
        ApiRoute(
            base,
            list_prompts,
            method="GET",
            summary="List prompts, each at its default version",
            tag=tag,
            response_model=ListPromptsResponse,
        ),
        ApiRoute(
            prompt,
            get_prompt,
            method="GET",
            summary="Get a prompt: ?version=N, else its default version",
            tag=tag,
            response_model=Prompt,
        ),
        *(
            ApiRoute(
                prompt,
                endpoint,
                method=method,
                summary="Update a prompt: a new version made from the latest (409 if stale)",
                tag=tag,
                request_model=UpdatePromptRequest,
                response_model=Prompt,
            )
            for method, endpoint in (("POST", update_prompt), ("PUT", update_prompt_put))
        ),
        ApiRoute(
            prompt,
            delete_prompt,
            method="DELETE",
            summary="Delete a prompt and all its versions",
            tag=tag,
            response_model=PromptDeleted,
        ),
        ApiRoute(
            prompt + "/versions",
            list_prompt_versions,
            method="GET",
            summary="List every version of a prompt",
            tag=tag,
            response_model=ListPromptsResponse,
        ),
        *(
            ApiRoute(
                prompt + "/set-default-version",
                endpoint,
                method=method,
                summary="Set the version of a prompt served when none is named",
                tag=tag,
                request_model=SetDefaultVersionRequest,
                response_model=Prompt,
            )
            for method, endpoint in (("POST", set_default_version), ("PUT", set_default_version_put))
        ),
    ]
