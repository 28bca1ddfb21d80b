"""Items to chat messages: what the model reads of a response's context and input.

Messages keep their text and images; a ``function_call`` becomes an assistant tool call
(consecutive calls one message, as a model that calls tools in parallel writes them) and
its ``function_call_output`` the tool message answering it. A server-side call the
response ran (``mcp_call``, ``file_search_call`` with results) is replayed the same way,
so a chained response sees what the tools said; listings (``mcp_list_tools``) and calls
without a recorded result are left out: the answer after them already used them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from plugstack.apis.inference.types import ChatMessage
from plugstack.errors import BadRequestError, NotImplementedByProviderError

__all__ = ["chat_messages", "text_of"]


def chat_messages(
    instructions: str | None, history: Sequence[dict[str, Any]], input_items: Sequence[dict[str, Any]]
) -> list[ChatMessage]:
    """The chat messages for the items (JSON-shaped), after a system message of ``instructions``.

    Errors name the offending input item by its index in ``input_items``.
    """
    messages: list[ChatMessage] = []
    if instructions:
        messages.append(ChatMessage(role="system", content=instructions))
    for index, item in enumerate([*history, *input_items], start=-len(history)):
        kind = item.get("type", "message")
        if kind == "message":
            messages.append(_message(item, index))
        elif kind == "function_call":
            _add_tool_call(messages, item["call_id"], item["name"], item["arguments"])
        elif kind == "function_call_output":
            messages.append(ChatMessage(role="tool", tool_call_id=item["call_id"], content=text_of(item["output"])))
        elif kind == "mcp_call":
            _add_tool_call(messages, item["id"], item["name"], item["arguments"])
            answer = item.get("output") if item.get("error") is None else f"error: {json.dumps(item['error'])}"
            messages.append(ChatMessage(role="tool", tool_call_id=item["id"], content=answer or ""))
        elif kind == "file_search_call" and item.get("results") is not None:
            query = " ".join(item.get("queries") or [])
            _add_tool_call(messages, item["id"], "file_search", json.dumps({"query": query}))
            results = [f"{r.get('filename') or r.get('file_id')}: {r.get('text')}" for r in item["results"]]
            messages.append(ChatMessage(role="tool", tool_call_id=item["id"], content="\n\n".join(results)))
        elif kind == "item_reference":
            raise NotImplementedByProviderError(
                "item_reference input items are not supported; pass the item itself", param=f"input.{index}"
            )
    return messages


def text_of(content: str | list[dict[str, Any]] | None) -> str:
    """The text of content given as a string or as parts (``input_text``, ``output_text``, ``refusal``)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return "\n".join(str(part.get("text") or part.get("refusal") or "") for part in content)


def _message(item: dict[str, Any], index: int) -> ChatMessage:
    role = item["role"]
    content = item["content"]
    if isinstance(content, str):
        return ChatMessage(role=role, content=content)
    if role == "assistant":  # earlier output: output_text and refusal parts
        return ChatMessage(role=role, content=text_of(content))
    parts: list[dict[str, Any]] = []
    for number, part in enumerate(content):
        kind = part["type"]
        if kind in ("input_text", "output_text"):
            parts.append({"type": "text", "text": part["text"]})
        elif kind == "input_image":
            if not part.get("image_url"):
                raise BadRequestError(
                    "input_image needs an image_url (file_id images are not supported)",
                    param=f"input.{index}.content.{number}.image_url",
                )
            parts.append({"type": "image_url", "image_url": {"url": part["image_url"], "detail": part["detail"]}})
        elif kind == "refusal":
            parts.append({"type": "text", "text": part["refusal"]})
    if all(part["type"] == "text" for part in parts):  # plain text: the form every provider takes
        return ChatMessage(role=role, content="\n".join(part["text"] for part in parts))
    return ChatMessage(role=role, content=parts)


def _add_tool_call(messages: list[ChatMessage], call_id: str, name: str, arguments: str) -> None:
    call = {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}
    last = messages[-1] if messages else None
    if last is not None and last.role == "assistant" and last.tool_calls:
        last.tool_calls.append(call)
    else:
        messages.append(ChatMessage(role="assistant", content=None, tool_calls=[call]))
