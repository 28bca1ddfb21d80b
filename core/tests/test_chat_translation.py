from __future__ import annotations

from typing import Any

import pytest

from plugstack.apis.inference import ChatMessage
from plugstack.chat_translation import append_turn, text_parts, tool_call
from plugstack.errors import BadRequestError


def test_text_parts_accepts_text_and_names_the_message_otherwise() -> None:
    assert text_parts(ChatMessage(role="system", content="be brief"), 0) == ["be brief"]
    assert text_parts(ChatMessage(role="assistant", content=None), 1) == []
    parts = [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]
    assert text_parts(ChatMessage(role="tool", content=parts, tool_call_id="c"), 2) == ["a", "b"]
    image = [{"type": "image_url", "image_url": {"url": "http://x"}}]
    with pytest.raises(BadRequestError, match=r"messages\[3\]: only text parts are allowed in a system message"):
        text_parts(ChatMessage(role="system", content=image), 3)


def test_append_turn_merges_consecutive_roles_and_skips_empty_blocks() -> None:
    turns: list[dict[str, Any]] = []
    append_turn(turns, "user", [{"text": "q"}])
    append_turn(turns, "assistant", [])
    append_turn(turns, "user", [{"text": "tool result"}])
    append_turn(turns, "assistant", [{"text": "a"}])
    assert turns == [
        {"role": "user", "content": [{"text": "q"}, {"text": "tool result"}]},
        {"role": "assistant", "content": [{"text": "a"}]},
    ]
    assert tool_call("c1", "f", "{}") == {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}


def test_function_tool_gives_name_description_and_a_schema() -> None:
    from plugstack.chat_translation import function_tool

    assert function_tool({"type": "function", "function": {"name": "f"}}) == (
        "f",
        None,
        {"type": "object", "properties": {}},
    )
    schema = {"type": "object", "properties": {"x": {"type": "string"}}}
    tool = {"type": "function", "function": {"name": "g", "description": "does g", "parameters": schema}}
    assert function_tool(tool) == ("g", "does g", schema)
    with pytest.raises(BadRequestError, match="tool type 'retrieval' is not supported"):
        function_tool({"type": "retrieval"})
