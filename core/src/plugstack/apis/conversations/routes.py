"""``/v1/conversations``: conversations and their items, as OpenAI serves them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response

from plugstack.apis.conversations.types import (
    AddItemsRequest,
    Conversation,
    ConversationDeleted,
    ConversationItemList,
    ConversationItemSchema,
    CreateConversationRequest,
    UpdateConversationRequest,
)
from plugstack.server.routing import ApiRoute, json_response, query_int, query_order, read_body

if TYPE_CHECKING:
    from plugstack.stack import Stack

__all__ = ["routes"]


def _include(request: Request) -> list[str]:
    """``include`` values; the openai SDK sends them as ``include[]=...``."""
    return request.query_params.getlist("include") + request.query_params.getlist("include[]")


def routes(stack: Stack) -> list[ApiRoute]:
    def conversation_id(request: Request) -> str:
        return str(request.path_params["conversation_id"])

    def item_id(request: Request) -> str:
        return str(request.path_params["item_id"])

    async def create_conversation(request: Request) -> Response:
        body = await read_body(request, CreateConversationRequest)
        return json_response(await stack.conversations.create_conversation(body.items, body.metadata))

    async def get_conversation(request: Request) -> Response:
        return json_response(await stack.conversations.get_conversation(conversation_id(request)))

    async def update_conversation(request: Request) -> Response:
        body = await read_body(request, UpdateConversationRequest)
        return json_response(await stack.conversations.update_conversation(conversation_id(request), body.metadata))

    async def delete_conversation(request: Request) -> Response:
        return json_response(await stack.conversations.delete_conversation(conversation_id(request)))

    async def add_items(request: Request) -> Response:
        body = await read_body(request, AddItemsRequest)
        added = await stack.conversations.add_items(conversation_id(request), body.items, include=_include(request))
        return json_response(added)

    async def list_items(request: Request) -> Response:
        listed = await stack.conversations.list_items(
            conversation_id(request),
            after=request.query_params.get("after"),
            limit=query_int(request, "limit", 20),
            order=query_order(request),
            include=_include(request),
        )
        return json_response(listed)

    async def get_item(request: Request) -> Response:
        item = await stack.conversations.get_item(conversation_id(request), item_id(request), include=_include(request))
        return json_response(item)

    async def delete_item(request: Request) -> Response:
        return json_response(await stack.conversations.delete_item(conversation_id(request), item_id(request)))

    base = "/v1/conversations"
    one = base + "/{conversation_id}"
    items = one + "/items"
    tag = "conversations"
    return [
        ApiRoute(
            base,
            create_conversation,
            method="POST",
            summary="Create a conversation, with up to 20 items",
            tag=tag,
            request_model=CreateConversationRequest,
            response_model=Conversation,
        ),
        ApiRoute(
            one,
            get_conversation,
            method="GET",
            summary="Retrieve a conversation",
            tag=tag,
            response_model=Conversation,
        ),
        ApiRoute(
            one,
            update_conversation,
            method="POST",
            summary="Replace a conversation's metadata",
            tag=tag,
            request_model=UpdateConversationRequest,
            response_model=Conversation,
        ),
        ApiRoute(
            one,
            delete_conversation,
            method="DELETE",
            summary="Delete a conversation and its items",
            tag=tag,
            response_model=ConversationDeleted,
        ),
        ApiRoute(
            items,
            add_items,
            method="POST",
            summary="Add up to 20 items after a conversation's last item",
            tag=tag,
            request_model=AddItemsRequest,
            response_model=ConversationItemList,
        ),
        ApiRoute(
            items,
            list_items,
            method="GET",
            summary="List a conversation's items (after, limit, order)",
            tag=tag,
            response_model=ConversationItemList,
        ),
        ApiRoute(
            items + "/{item_id}",
            get_item,
            method="GET",
            summary="Retrieve an item of a conversation",
            tag=tag,
            response_model=ConversationItemSchema,
        ),
        ApiRoute(
            items + "/{item_id}",
            delete_item,
            method="DELETE",
            summary="Delete an item of a conversation; answers the conversation",
            tag=tag,
            response_model=Conversation,
        ),
    ]
