"""Conversations: OpenAI's ``/v1/conversations``, a conversation's items kept in the SQL store."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plugstack.apis.definition import ApiDefinition, lazy_reexport

if TYPE_CHECKING:
    from plugstack.apis.conversations.items import (
        ContentPart,
        ConversationItem,
        FileSearchCallItem,
        FunctionCallItem,
        FunctionCallOutputItem,
        InputFile,
        InputImage,
        InputText,
        McpCallItem,
        McpListToolsItem,
        MessageItem,
        OutputText,
        ReasoningItem,
        Refusal,
        WebSearchCallItem,
    )
    from plugstack.apis.conversations.types import (
        Conversation,
        ConversationDeleted,
        ConversationItemList,
        CreateConversationRequest,
        UpdateConversationRequest,
    )

__all__ = [
    "API",
    "ContentPart",
    "Conversation",
    "ConversationDeleted",
    "ConversationItem",
    "ConversationItemList",
    "CreateConversationRequest",
    "FileSearchCallItem",
    "FunctionCallItem",
    "FunctionCallOutputItem",
    "InputFile",
    "InputImage",
    "InputText",
    "McpCallItem",
    "McpListToolsItem",
    "MessageItem",
    "OutputText",
    "ReasoningItem",
    "Refusal",
    "UpdateConversationRequest",
    "WebSearchCallItem",
]

API = ApiDefinition(
    name="conversations",
    description="OpenAI's conversations and their items, kept in the SQL store",
    router="plugstack.apis.conversations.router:build_routers",
    routes="plugstack.apis.conversations.routes:routes",
    standalone=True,
)

__getattr__ = lazy_reexport(__name__, "types", "items")
