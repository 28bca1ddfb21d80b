"""Pieces shared by providers that translate OpenAI chat requests into another API
(Anthropic Messages, Bedrock Converse, ...) and their answers back."""

from __future__ import annotations

from typing import Any

from plugstack.apis.inference import ChatMessage
from plugstack.errors import BadRequestError

__all__ = ["append_turn", "function_tool", "text_parts", "tool_call"]


def text_parts(message: ChatMessage, index: int) -> list[str]:
    """The texts of a message whose content may only be text (system, assistant, tool).

    ``index`` is the message's position, named in the 400 for any other content part.
    """
    if message.content is None:
        return []
    if isinstance(message.content, str):
        return [message.content]
    texts = []
    for part in message.content:
        if part.get("type") != "text":
            raise BadRequestError(
                f"messages[{index}]: only text parts are allowed in a {message.role} message", param="messages"
            )
        texts.append(str(part.get("text", "")))
    return texts


def append_turn(turns: list[dict[str, Any]], role: str, blocks: list[dict[str, Any]]) -> None:
    """Add ``blocks`` as a turn, merged into the previous turn of the same role.

    APIs that require strictly alternating roles also require that all tool results
    answering one assistant turn share the one user turn that follows it.
    """
    if not blocks:
        return
    if turns and turns[-1]["role"] == role:
        turns[-1]["content"].extend(blocks)
    else:
        turns.append({"role": role, "content": blocks})


def function_tool(tool: dict[str, Any]) -> tuple[str, str | None, dict[str, Any]]:
    """The name, description and JSON-schema parameters of an OpenAI function tool.

    A tool without parameters gets the empty object schema, which every target API accepts.
    """
    if tool.get("type") != "function":
        raise BadRequestError(f"tool type {tool.get('type')!r} is not supported; use function tools", param="tools")
    function = tool.get("function") or {}
    parameters = function.get("parameters") or {"type": "object", "properties": {}}
    return str(function.get("name", "")), function.get("description") or None, parameters


def tool_call(call_id: str, name: str, arguments: str) -> dict[str, Any]:
    """A tool call in the OpenAI shape (``arguments`` is a JSON string)."""
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}
