"""Conversations in the OpenAI wire format: ``/v1/conversations`` and its items.

The item types are in :mod:`.items`; this module holds the conversation, the lists and
the requests. Requests forbid unknown fields, so a misspelt option is a 400 rather than
silently ignored; items themselves keep unknown fields (see :mod:`.items`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from plugstack.apis.conversations.items import ConversationItem
from plugstack.apis.metadata import Metadata

__all__ = [
    "INCLUDABLE",
    "MAX_ITEMS_PER_REQUEST",
    "AddItemsRequest",
    "Conversation",
    "ConversationDeleted",
    "ConversationItemList",
    "ConversationItemSchema",
    "CreateConversationRequest",
    "Metadata",
    "UpdateConversationRequest",
]

MAX_ITEMS_PER_REQUEST = 20
INCLUDABLE = frozenset(
    {
        "file_search_call.results",
        "web_search_call.results",
        "web_search_call.action.sources",
        "message.input_image.image_url",
        "computer_call_output.output.image_url",
        "code_interpreter_call.outputs",
        "reasoning.encrypted_content",
        "message.output_text.logprobs",
    }
)
"""OpenAI's ``include`` values. Items are stored whole, so each is accepted and already included."""


class Conversation(BaseModel):
    id: str
    object: Literal["conversation"] = "conversation"
    created_at: int
    metadata: dict[str, str] = Field(default_factory=dict)


class ConversationDeleted(BaseModel):
    id: str
    object: Literal["conversation.deleted"] = "conversation.deleted"
    deleted: bool = True


class ConversationItemList(BaseModel):
    """A page of items; ``first_id`` and ``last_id`` are ``None`` when it is empty."""

    object: Literal["list"] = "list"
    data: list[ConversationItem]
    first_id: str | None = None
    last_id: str | None = None
    has_more: bool = False


class ConversationItemSchema(RootModel[ConversationItem]):
    """One item, as ``/openapi.json`` describes ``GET .../items/{item_id}`` (the router returns the item itself)."""


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CreateConversationRequest(_Request):
    """``items`` are checked by :func:`~plugstack.apis.conversations.items.parse_items`, one by one."""

    items: list[Any] | None = Field(default=None, max_length=MAX_ITEMS_PER_REQUEST)
    metadata: Metadata | None = None
    safety_identifier: str | None = None


class UpdateConversationRequest(_Request):
    metadata: Metadata | None = Field(description="replaces the conversation's metadata; null clears it")


class AddItemsRequest(_Request):
    items: list[Any] = Field(max_length=MAX_ITEMS_PER_REQUEST)
