"""Tool calling for models whose chat template knows nothing about tools: a grammar-constrained fallback.

Small GGUF models rarely ship a tool-calling template, and no two that do agree on a
syntax. So, unless a ``chat_format`` that handles tools itself is configured, plugstack:

1. describes the tools in a system message and asks for a JSON object
   ``{"name": ..., "arguments": {...}}`` to call one;
2. constrains sampling with a grammar built from the tools' JSON schemas:
   ``tool_choice="required"`` or a named function allows only a valid call of an
   allowed tool; ``"auto"`` allows either a valid call or any text that does not start
   with ``{`` (so a reply that starts like a call must be a valid call);
3. parses a reply that is a call into ``tool_calls`` (one call per turn).

Earlier turns are rewritten for the template: an assistant turn's ``tool_calls`` become
that JSON object, and a ``tool`` message becomes a user message carrying the result.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any, Literal

from plugstack.errors import BadRequestError

__all__ = [
    "ToolMode",
    "allowed_tools",
    "history_for_template",
    "parse_tool_call",
    "tool_call_grammar",
    "tool_mode",
    "tool_system_prompt",
]

ToolMode = Literal["none", "auto", "required"]


def tool_mode(tools: list[dict[str, Any]] | None, tool_choice: str | dict[str, Any] | None) -> ToolMode:
    if not tools or tool_choice == "none":
        return "none"
    if tool_choice in (None, "auto"):
        return "auto"
    if tool_choice == "required" or isinstance(tool_choice, dict):
        return "required"
    raise BadRequestError(
        f"tool_choice {tool_choice!r} is not 'none', 'auto', 'required' or a function", param="tool_choice"
    )


def allowed_tools(tools: list[dict[str, Any]], tool_choice: str | dict[str, Any] | None) -> list[dict[str, Any]]:
    """The function definitions the model may call."""
    functions = []
    for i, tool in enumerate(tools):
        function = tool.get("function")
        if tool.get("type", "function") != "function" or not isinstance(function, dict) or not function.get("name"):
            raise BadRequestError(
                f"tools[{i}] must be {{'type': 'function', 'function': {{'name': ...}}}}", param="tools"
            )
        functions.append(function)
    if isinstance(tool_choice, dict):
        name = (tool_choice.get("function") or {}).get("name")
        functions = [f for f in functions if f["name"] == name]
        if not functions:
            raise BadRequestError(f"tool_choice names function {name!r}, which is not in tools", param="tool_choice")
    return functions


def tool_system_prompt(functions: list[dict[str, Any]], mode: ToolMode) -> str:
    listing = json.dumps(
        [{k: f[k] for k in ("name", "description", "parameters") if k in f} for f in functions], ensure_ascii=False
    )
    how = 'To call a tool, reply with only a JSON object {"name": <tool name>, "arguments": <arguments object>}.'
    when = " You must call one of these tools." if mode == "required" else " Otherwise, answer normally."
    return f"You can call these tools: {listing}\n{how}{when}"


def tool_call_grammar(functions: list[dict[str, Any]], mode: ToolMode) -> str:
    """GBNF allowing a call of one of ``functions`` (and, in ``auto`` mode, text not starting with ``{``)."""
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    calls = [
        {
            "type": "object",
            "properties": {
                "name": {"const": f["name"]},
                "arguments": f.get("parameters") or {"type": "object"},
            },
            "required": ["name", "arguments"],
            "additionalProperties": False,
        }
        for f in functions
    ]
    schema = calls[0] if len(calls) == 1 else {"anyOf": calls}
    try:
        grammar = json_schema_to_gbnf(json.dumps(schema))
    except Exception as exc:  # the converter raises bare Exceptions on unsupported schemas
        raise BadRequestError(
            f"cannot build a grammar from the tools' parameter schemas: {exc}", param="tools"
        ) from None
    grammar = re.sub(r"^root ::=", "plugstack-tool-call ::=", grammar, flags=re.MULTILINE)
    if mode == "auto":
        return grammar + "\nroot ::= plugstack-tool-call | plugstack-text\nplugstack-text ::= [^{] [^\\x00]*\n"
    return grammar + "\nroot ::= plugstack-tool-call\n"


def parse_tool_call(text: str, functions: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The OpenAI ``tool_calls`` entry ``text`` encodes, or ``None`` if it is not a complete call."""
    try:
        call = json.loads(text)
    except json.JSONDecodeError:
        return None
    names = {f["name"] for f in functions}
    if not isinstance(call, dict) or call.get("name") not in names or not isinstance(call.get("arguments"), dict):
        return None
    return {
        "id": f"call_{uuid.uuid4().hex[:24]}",
        "type": "function",
        "function": {"name": call["name"], "arguments": json.dumps(call["arguments"], ensure_ascii=False)},
    }


def history_for_template(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Earlier tool calls and results rewritten as plain turns any chat template can render."""
    rewritten = []
    for message in messages:
        if message["role"] == "assistant" and message.get("tool_calls"):
            calls = [
                {"name": c["function"]["name"], "arguments": _json_or_text(c["function"].get("arguments", "{}"))}
                for c in message["tool_calls"]
            ]
            text = json.dumps(calls[0] if len(calls) == 1 else calls, ensure_ascii=False)
            rewritten.append({"role": "assistant", "content": text})
        elif message["role"] == "tool":
            rewritten.append({"role": "user", "content": f"Tool result: {message.get('content') or ''}"})
        else:
            rewritten.append(message)
    return rewritten


def _json_or_text(value: str) -> Any:
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value
