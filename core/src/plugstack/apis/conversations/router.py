"""The conversations router: what ``stack.conversations`` is, in library and server mode alike.

It implements OpenAI's Conversations API over the stack's SQL store (:mod:`.store`).
The Responses API uses it in-process to keep a conversation's items: items come back
as the pydantic models of :mod:`.items` (``item.type``, ``item.role``...), whose
``model_dump()`` is OpenAI's JSON shape. Every write is committed before its call
returns.

Conversations have no needs, so a run config with no ``apis`` enables them; the tables
are created on first use, so a stack that never uses them touches no database for them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel

from plugstack.apis.conversations.items import ConversationItem, new_id, parse_items
from plugstack.apis.conversations.store import ConversationStore
from plugstack.apis.conversations.types import (
    INCLUDABLE,
    AddItemsRequest,
    Conversation,
    ConversationDeleted,
    ConversationItemList,
    CreateConversationRequest,
    UpdateConversationRequest,
)
from plugstack.apis.definition import RouterContext
from plugstack.errors import BadRequestError, NotFoundError
from plugstack.storage import SqlStore
from plugstack.storage.first_use import FirstUse
from plugstack.validation import validate_request

__all__ = ["ConversationsRouter", "build_routers"]

_MAX_PAGE = 100
RawItems = Sequence[Mapping[str, Any] | BaseModel]


async def build_routers(context: RouterContext) -> dict[str, object]:
    return {"conversations": ConversationsRouter(context.sqlstore)}


class ConversationsRouter:
    def __init__(self, sqlstore: Callable[[], Awaitable[SqlStore]]) -> None:
        self._sqlstore = sqlstore
        self._db = FirstUse(self._open)

    async def _open(self) -> ConversationStore:
        """The store, its tables created (on first use: see :mod:`plugstack.storage.first_use`)."""
        store = ConversationStore((await self._sqlstore()).engine)
        await store.initialize()
        return store

    # -- conversations ----------------------------------------------------------------------------

    async def create_conversation(
        self, items: RawItems | None = None, metadata: dict[str, str] | None = None
    ) -> Conversation:
        """A new conversation holding ``items`` (up to 20) in order."""
        request = validate_request(CreateConversationRequest, None, {"items": items, "metadata": metadata})
        parsed = parse_items(request.items or [])
        db = await self._db()
        return await db.create(new_id("conv"), request.metadata or {}, parsed)

    async def get_conversation(self, conversation_id: str) -> Conversation:
        found = await (await self._db()).get(conversation_id)
        if found is None:
            raise _no_conversation(conversation_id)
        return found

    async def update_conversation(self, conversation_id: str, metadata: dict[str, str] | None) -> Conversation:
        """Replace the conversation's metadata (``None`` clears it), as OpenAI does."""
        request = validate_request(UpdateConversationRequest, None, {"metadata": metadata})
        updated = await (await self._db()).set_metadata(conversation_id, request.metadata or {})
        if updated is None:
            raise _no_conversation(conversation_id)
        return updated

    async def delete_conversation(self, conversation_id: str) -> ConversationDeleted:
        """Delete the conversation and every item in it."""
        if not await (await self._db()).delete(conversation_id):
            raise _no_conversation(conversation_id)
        return ConversationDeleted(id=conversation_id)

    # -- items ------------------------------------------------------------------------------------

    async def add_items(
        self, conversation_id: str, items: RawItems, *, include: Sequence[str] | None = None
    ) -> ConversationItemList:
        """Append ``items`` (up to 20) after the conversation's last item; they come back with their ids.

        Each item is a mapping in OpenAI's input shape, or a pydantic model of one (this
        module's item models, the openai SDK's). Concurrent calls on one conversation each
        keep their items together and in order.
        """
        _check_include(include)
        request = validate_request(AddItemsRequest, None, {"items": items})
        parsed = parse_items(request.items)
        if not await (await self._db()).append(conversation_id, parsed, "items"):
            raise _no_conversation(conversation_id)
        return _page(parsed, has_more=False)

    async def list_items(
        self,
        conversation_id: str,
        *,
        after: str | None = None,
        limit: int = 20,
        order: Literal["asc", "desc"] = "desc",
        include: Sequence[str] | None = None,
    ) -> ConversationItemList:
        """A page of items, oldest first with ``order="asc"``; ``after`` is the last id of the previous page."""
        _check_include(include)
        if not 1 <= limit <= _MAX_PAGE:
            raise BadRequestError(f"limit must be between 1 and {_MAX_PAGE}, got {limit}", param="limit")
        if order not in ("asc", "desc"):
            raise BadRequestError(f"order must be 'asc' or 'desc', got {order!r}", param="order")
        db = await self._db()
        items = await db.page(conversation_id, after=after, limit=limit + 1, descending=order == "desc")
        if not items:  # an empty page, or an unknown conversation or cursor: say which
            await self.get_conversation(conversation_id)
            if after is not None and not await db.has_item(conversation_id, after):
                raise NotFoundError(
                    f"item {after!r} (the 'after' cursor) not found in conversation {conversation_id!r}", param="after"
                )
        return _page(items[:limit], has_more=len(items) > limit)

    async def get_item(
        self, conversation_id: str, item_id: str, *, include: Sequence[str] | None = None
    ) -> ConversationItem:
        _check_include(include)
        db = await self._db()
        item = await db.get_item(conversation_id, item_id)
        if item is None:
            await self.get_conversation(conversation_id)  # name the conversation when it is what is missing
            raise _no_item(conversation_id, item_id)
        return item

    async def delete_item(self, conversation_id: str, item_id: str) -> Conversation:
        """Delete one item; the answer is the conversation, as OpenAI's is."""
        conversation = await self.get_conversation(conversation_id)
        if not await (await self._db()).delete_item(conversation_id, item_id):
            raise _no_item(conversation_id, item_id)
        return conversation


def _page(items: list[ConversationItem], *, has_more: bool) -> ConversationItemList:
    return ConversationItemList(
        data=items,
        first_id=items[0].id if items else None,
        last_id=items[-1].id if items else None,
        has_more=has_more,
    )


def _check_include(include: Sequence[str] | None) -> None:
    for value in include or ():
        if value not in INCLUDABLE:
            raise BadRequestError(
                f"include: unknown value {value!r} (known: {', '.join(sorted(INCLUDABLE))})", param="include"
            )


def _no_conversation(conversation_id: str) -> NotFoundError:
    return NotFoundError(f"conversation {conversation_id!r} not found", param="conversation_id")


def _no_item(conversation_id: str, item_id: str) -> NotFoundError:
    return NotFoundError(f"item {item_id!r} not found in conversation {conversation_id!r}", param="item_id")
