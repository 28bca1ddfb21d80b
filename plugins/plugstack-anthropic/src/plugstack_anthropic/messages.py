"""OpenAI chat completions ↔ Anthropic Messages: pure translation, no SDK.

The Messages API keeps the system prompt apart, wants ``max_tokens`` on every request,
sends tool results as ``tool_result`` blocks of a user turn, and streams typed events
(``message_start``, ``content_block_*``, ``message_delta``) instead of chunks. A
``response_format`` that asks for JSON becomes a tool the model must call, whose input is
handed back as the message content: Anthropic's documented way to get schema-shaped JSON.
"""

from __future__ import annotations

import json
from typing import Any

from plugstack.apis.inference import ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, ChatMessage, Usage
from plugstack.chat_translation import append_turn, function_tool, text_parts, tool_call
from plugstack.errors import BadRequestError, NotImplementedByProviderError

__all__ = [
    "FINISH_REASONS",
    "MessageStreamTranslator",
    "chat_completion_from_message",
    "json_tool_name",
    "messages_request",
    "usage_from_anthropic",
]

FINISH_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}
_UNSUPPORTED = ("logprobs", "top_logprobs", "logit_bias", "frequency_penalty", "presence_penalty")


def messages_request(request: ChatCompletionRequest, *, default_max_tokens: int) -> dict[str, Any]:
    """The keyword arguments of ``messages.create`` for ``request``.

    ``seed`` is dropped: Anthropic has none, and it is only a hint for repeatability.
    """
    if request.n not in (None, 1):
        raise NotImplementedByProviderError("remote::anthropic returns one choice per request (n must be 1)")
    for name in _UNSUPPORTED:
        if getattr(request, name) not in (None, False):
            raise NotImplementedByProviderError(f"remote::anthropic does not support {name}", param=name)
    system: list[dict[str, Any]] = []
    turns: list[dict[str, Any]] = []
    for i, message in enumerate(request.messages):
        if message.role in ("system", "developer"):
            system.extend({"type": "text", "text": text} for text in text_parts(message, i) if text)
        elif message.role == "user":
            append_turn(turns, "user", _user_blocks(message, i))
        elif message.role == "assistant":
            append_turn(turns, "assistant", _assistant_blocks(message, i))
        elif message.role == "tool":
            result = {
                "type": "tool_result",
                "tool_use_id": message.tool_call_id or "",
                "content": "\n".join(text_parts(message, i)),
            }
            append_turn(turns, "user", [result])
        else:
            raise BadRequestError(f"messages[{i}]: role {message.role!r} is not supported; use tools", param="messages")
    params: dict[str, Any] = {
        "model": request.model,
        "messages": [_compact(turn) for turn in turns],
        "max_tokens": request.max_output_tokens or default_max_tokens,
    }
    if system:
        params["system"] = "\n\n".join(block["text"] for block in system)
    if request.temperature is not None:
        params["temperature"] = request.temperature
    if request.top_p is not None:
        params["top_p"] = request.top_p
    if request.stop:
        params["stop_sequences"] = [request.stop] if isinstance(request.stop, str) else list(request.stop)
    if request.user:
        params["metadata"] = {"user_id": request.user}
    params.update(_tools(request))
    return params


def json_tool_name(request: ChatCompletionRequest) -> str | None:
    """The name of the forced tool that carries a JSON ``response_format``, if any."""
    response_format = request.response_format or {}
    if response_format.get("type") == "json_schema":
        return str((response_format.get("json_schema") or {}).get("name") or "json_response")
    if response_format.get("type") == "json_object":
        return "json_response"
    return None


def chat_completion_from_message(message: dict[str, Any], *, model: str, json_tool: str | None) -> ChatCompletion:
    """The ChatCompletion for a Messages API response (as a dict)."""
    text_parts: list[str] = []
    tool_calls: list[dict[str, Any]] = []
    for block in message.get("content") or []:
        if block.get("type") == "text":
            text_parts.append(block.get("text", ""))
        elif block.get("type") == "tool_use":
            arguments = json.dumps(block.get("input") or {})
            if json_tool is not None and block.get("name") == json_tool:
                text_parts.append(arguments)
            else:
                tool_calls.append(tool_call(block["id"], block["name"], arguments))
    finish = FINISH_REASONS.get(message.get("stop_reason") or "", "stop")
    if json_tool is not None and finish == "tool_calls" and not tool_calls:
        finish = "stop"
    reply: dict[str, Any] = {"role": "assistant", "content": "".join(text_parts) if text_parts else None}
    if tool_calls:
        reply["tool_calls"] = tool_calls
    return ChatCompletion(
        id=str(message.get("id") or ""),
        model=model,
        choices=[{"index": 0, "message": reply, "finish_reason": finish}],
        usage=usage_from_anthropic(message.get("usage") or {}),
    )


def usage_from_anthropic(usage: dict[str, Any]) -> Usage:
    """OpenAI usage: Anthropic's ``input_tokens`` leave out cache reads and writes, OpenAI's
    ``prompt_tokens`` count them, with the reads as ``cached_tokens``."""
    cache_read = int(usage.get("cache_read_input_tokens") or 0)
    cache_write = int(usage.get("cache_creation_input_tokens") or 0)
    prompt = int(usage.get("input_tokens") or 0) + cache_read + cache_write
    completion = int(usage.get("output_tokens") or 0)
    return Usage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=prompt + completion,
        prompt_tokens_details={"cached_tokens": cache_read, "cache_write_tokens": cache_write},
    )


class MessageStreamTranslator:
    """Turns Messages stream events, one at a time, into chat completion chunks.

    Each ``tool_use`` content block becomes one OpenAI tool call, numbered by ``index`` in
    order of appearance; its ``input_json_delta`` fragments become argument deltas. Usage
    arrives in ``message_start`` (input) and ``message_delta`` (output so far); the final
    usage chunk is sent at ``message_stop`` when the caller asked for it.
    """

    def __init__(self, *, model: str, include_usage: bool, json_tool: str | None) -> None:
        self.model = model
        self.include_usage = include_usage
        self.json_tool = json_tool
        self.completion_id = ""
        self._usage: dict[str, Any] = {}
        self._tool_index: dict[int, int] = {}  # content block index -> tool call index
        self._json_blocks: set[int] = set()

    def chunks(self, event: dict[str, Any]) -> list[ChatCompletionChunk]:
        kind = event.get("type")
        if kind == "message_start":
            message = event.get("message") or {}
            self.completion_id = str(message.get("id") or "")
            self._usage.update(message.get("usage") or {})
            return [self._chunk({"role": "assistant", "content": ""})]
        if kind == "content_block_start":
            block, index = event.get("content_block") or {}, int(event.get("index", 0))
            if block.get("type") == "text" and block.get("text"):
                return [self._chunk({"content": block["text"]})]
            if block.get("type") != "tool_use":
                return []
            if self.json_tool is not None and block.get("name") == self.json_tool:
                self._json_blocks.add(index)
                return []
            call_index = self._tool_index[index] = len(self._tool_index)
            return [self._chunk({"tool_calls": [{"index": call_index, **tool_call(block["id"], block["name"], "")}]})]
        if kind == "content_block_delta":
            delta, index = event.get("delta") or {}, int(event.get("index", 0))
            if delta.get("type") == "text_delta":
                return [self._chunk({"content": delta.get("text", "")})] if delta.get("text") else []
            if delta.get("type") == "input_json_delta":
                partial = delta.get("partial_json", "")
                if index in self._json_blocks:
                    return [self._chunk({"content": partial})] if partial else []
                if index not in self._tool_index or not partial:
                    return []
                return [
                    self._chunk(
                        {"tool_calls": [{"index": self._tool_index[index], "function": {"arguments": partial}}]}
                    )
                ]
            return []
        if kind == "message_delta":
            self._usage.update({k: v for k, v in (event.get("usage") or {}).items() if v is not None})
            reason = (event.get("delta") or {}).get("stop_reason")
            if reason is None:
                return []
            finish = FINISH_REASONS.get(reason, "stop")
            if self._json_blocks and not self._tool_index and finish == "tool_calls":
                finish = "stop"
            return [self._chunk({}, finish)]
        if kind == "message_stop" and self.include_usage:
            usage = usage_from_anthropic(self._usage)
            return [ChatCompletionChunk(id=self.completion_id, model=self.model, choices=[], usage=usage)]
        return []

    def _chunk(self, delta: dict[str, Any], finish_reason: str | None = None) -> ChatCompletionChunk:
        choice = {"index": 0, "delta": delta, "finish_reason": finish_reason}
        return ChatCompletionChunk(id=self.completion_id, model=self.model, choices=[choice])


# -- requests, piece by piece -------------------------------------------------------------


def _compact(turn: dict[str, Any]) -> dict[str, Any]:
    """A turn of one text block as a plain string: the shorter form, which every
    implementation of the Messages API accepts."""
    blocks = turn["content"]
    if len(blocks) == 1 and blocks[0]["type"] == "text":
        return {"role": turn["role"], "content": blocks[0]["text"]}
    return turn


def _user_blocks(message: ChatMessage, i: int) -> list[dict[str, Any]]:
    if isinstance(message.content, str) or message.content is None:
        return [{"type": "text", "text": message.content}] if message.content else []
    blocks: list[dict[str, Any]] = []
    for part in message.content:
        kind = part.get("type")
        if kind == "text":
            if part.get("text"):
                blocks.append({"type": "text", "text": part["text"]})
        elif kind == "image_url":
            blocks.append({"type": "image", "source": _image_source(part.get("image_url") or {}, i)})
        else:
            raise BadRequestError(f"messages[{i}]: content part type {kind!r} is not supported", param="messages")
    return blocks


def _image_source(image_url: dict[str, Any], i: int) -> dict[str, Any]:
    url = str(image_url.get("url", ""))
    if url.startswith(("http://", "https://")):
        return {"type": "url", "url": url}
    if url.startswith("data:"):
        header, _, data = url[5:].partition(",")
        if ";base64" in header and data:
            return {"type": "base64", "media_type": header.split(";")[0].lower(), "data": data}
    raise BadRequestError(f"messages[{i}]: an image must be an http(s) URL or a base64 data: URL", param="messages")


def _assistant_blocks(message: ChatMessage, i: int) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [{"type": "text", "text": text} for text in text_parts(message, i) if text]
    for call in message.tool_calls or []:
        function = call.get("function") or {}
        try:
            arguments = json.loads(function.get("arguments") or "{}")
        except ValueError:
            raise BadRequestError(f"messages[{i}]: tool call arguments are not JSON", param="messages") from None
        blocks.append(
            {"type": "tool_use", "id": call.get("id", ""), "name": function.get("name", ""), "input": arguments}
        )
    return blocks


def _tools(request: ChatCompletionRequest) -> dict[str, Any]:
    """``tools`` and ``tool_choice``, including the forced tool of a JSON response format."""
    tools = [_tool(tool) for tool in request.tools or []]
    choice: dict[str, Any] | None = None
    json_tool = json_tool_name(request)
    if json_tool is not None:
        response_format = request.response_format or {}
        schema = (response_format.get("json_schema") or {}).get("schema") or {"type": "object"}
        description = "Answer by calling this tool with the response as its input."
        tools.append({"name": json_tool, "description": description, "input_schema": schema})
        choice = {"type": "tool", "name": json_tool}
    elif request.tool_choice == "none":
        choice = {"type": "none"}
    elif request.tool_choice == "required":
        choice = {"type": "any"}
    elif request.tool_choice == "auto":
        choice = {"type": "auto"}
    elif isinstance(request.tool_choice, dict):
        choice = {"type": "tool", "name": (request.tool_choice.get("function") or {}).get("name", "")}
    if not tools:
        return {}
    if request.parallel_tool_calls is False and (choice is None or choice["type"] != "none"):
        choice = {**(choice or {"type": "auto"}), "disable_parallel_tool_use": True}
    result: dict[str, Any] = {"tools": tools}
    if choice is not None:
        result["tool_choice"] = choice
    return result


def _tool(tool: dict[str, Any]) -> dict[str, Any]:
    name, description, parameters = function_tool(tool)
    spec: dict[str, Any] = {"name": name, "input_schema": parameters}
    if description:
        spec["description"] = description
    return spec
