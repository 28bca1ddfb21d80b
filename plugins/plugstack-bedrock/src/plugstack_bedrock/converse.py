"""OpenAI chat completions ↔ Bedrock Converse: pure translation, no boto3.

Converse wants strictly alternating user/assistant turns of content blocks, system text
apart, tool results as ``toolResult`` blocks of a user turn and images as raw bytes. A
``response_format`` with a JSON schema becomes a tool the model is forced to call, whose
input is handed back as the message content: that is how Converse models produce output
that conforms to a schema.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from plugstack.apis.inference import ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, ChatMessage, Usage
from plugstack.chat_translation import append_turn, function_tool, text_parts, tool_call
from plugstack.errors import BadRequestError, NotImplementedByProviderError

__all__ = [
    "FINISH_REASONS",
    "ConverseStreamTranslator",
    "chat_completion_from_converse",
    "converse_request",
    "json_schema_tool",
    "usage_from_converse",
]

FINISH_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "guardrail_intervened": "content_filter",
    "content_filtered": "content_filter",
}
_IMAGE_FORMATS = {
    "image/png": "png",
    "image/jpeg": "jpeg",
    "image/jpg": "jpeg",
    "image/gif": "gif",
    "image/webp": "webp",
}


def converse_request(request: ChatCompletionRequest) -> dict[str, Any]:
    """The keyword arguments of ``bedrock-runtime.converse`` for ``request``."""
    if request.n not in (None, 1):
        raise NotImplementedByProviderError("remote::bedrock returns one choice per request (n must be 1)")
    system: list[dict[str, Any]] = []
    turns: list[dict[str, Any]] = []
    for i, message in enumerate(request.messages):
        if message.role in ("system", "developer"):
            system.extend({"text": text} for text in text_parts(message, i) if text)
        elif message.role == "user":
            append_turn(turns, "user", _user_blocks(message, i))
        elif message.role == "assistant":
            append_turn(turns, "assistant", _assistant_blocks(message, i))
        elif message.role == "tool":
            result = {"toolUseId": message.tool_call_id or "", "content": [{"text": "\n".join(text_parts(message, i))}]}
            append_turn(turns, "user", [{"toolResult": result}])
        else:
            raise BadRequestError(f"messages[{i}]: role {message.role!r} is not supported; use tools", param="messages")
    params: dict[str, Any] = {"modelId": request.model, "messages": turns}
    if system:
        params["system"] = system
    inference = _inference_config(request)
    if inference:
        params["inferenceConfig"] = inference
    tool_config = _tool_config(request, turns)
    if tool_config:
        params["toolConfig"] = tool_config
    return params


def json_schema_tool(request: ChatCompletionRequest) -> str | None:
    """The name of the forced tool that carries a ``json_schema`` response format, if any."""
    response_format = request.response_format or {}
    if response_format.get("type") != "json_schema":
        return None
    return str((response_format.get("json_schema") or {}).get("name") or "json_response")


def chat_completion_from_converse(
    response: dict[str, Any], *, completion_id: str, model: str, json_tool: str | None
) -> ChatCompletion:
    """The ChatCompletion for a ``converse`` response."""
    text_parts: list[str] = []
    tool_calls: list[dict[str, Any]] = []
    for block in response.get("output", {}).get("message", {}).get("content", []):
        if "text" in block:
            text_parts.append(block["text"])
        elif "toolUse" in block:
            use = block["toolUse"]
            if json_tool is not None and use.get("name") == json_tool:
                text_parts.append(json.dumps(use.get("input") or {}))
                continue
            tool_calls.append(tool_call(use["toolUseId"], use["name"], json.dumps(use.get("input") or {})))
    finish = FINISH_REASONS.get(response.get("stopReason", ""), "stop")
    if json_tool is not None and finish == "tool_calls" and not tool_calls:
        finish = "stop"
    message: dict[str, Any] = {"role": "assistant", "content": "".join(text_parts) if text_parts else None}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return ChatCompletion(
        id=completion_id,
        model=model,
        choices=[{"index": 0, "message": message, "finish_reason": finish}],
        usage=usage_from_converse(response.get("usage") or {}),
    )


def usage_from_converse(usage: dict[str, Any]) -> Usage:
    """OpenAI usage: prompt tokens include cache reads and writes, as OpenAI counts them."""
    cache_read = int(usage.get("cacheReadInputTokens") or 0)
    cache_write = int(usage.get("cacheWriteInputTokens") or 0)
    prompt = int(usage.get("inputTokens") or 0) + cache_read + cache_write
    completion = int(usage.get("outputTokens") or 0)
    details = {"cached_tokens": cache_read, "cache_write_tokens": cache_write} if cache_read or cache_write else None
    return Usage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=prompt + completion,
        prompt_tokens_details=details,
    )


class ConverseStreamTranslator:
    """Turns ConverseStream events, one at a time, into chat completion chunks.

    Each ``toolUse`` content block becomes one OpenAI tool call, numbered by ``index`` in
    order of appearance; its input arrives as argument deltas. The ``metadata`` event
    becomes the final usage chunk when the caller asked for it.
    """

    def __init__(self, *, completion_id: str, model: str, include_usage: bool, json_tool: str | None) -> None:
        self.completion_id = completion_id
        self.model = model
        self.include_usage = include_usage
        self.json_tool = json_tool
        self._tool_index: dict[int, int] = {}  # content block index -> tool call index
        self._json_blocks: set[int] = set()

    def chunks(self, event: dict[str, Any]) -> list[ChatCompletionChunk]:
        if "messageStart" in event:
            return [self._chunk({"role": "assistant", "content": ""})]
        if "contentBlockStart" in event:
            start = event["contentBlockStart"]
            use = (start.get("start") or {}).get("toolUse")
            if use is None:
                return []
            block = start.get("contentBlockIndex", 0)
            if self.json_tool is not None and use.get("name") == self.json_tool:
                self._json_blocks.add(block)
                return []
            index = self._tool_index[block] = len(self._tool_index)
            call = {"index": index, **tool_call(use["toolUseId"], use["name"], "")}
            return [self._chunk({"tool_calls": [call]})]
        if "contentBlockDelta" in event:
            body = event["contentBlockDelta"]
            block, delta = body.get("contentBlockIndex", 0), body.get("delta") or {}
            if "text" in delta:
                return [self._chunk({"content": delta["text"]})] if delta["text"] else []
            if "toolUse" in delta:
                arguments = delta["toolUse"].get("input", "")
                if block in self._json_blocks:
                    return [self._chunk({"content": arguments})]
                call = {"index": self._tool_index[block], "function": {"arguments": arguments}}
                return [self._chunk({"tool_calls": [call]})]
            return []
        if "messageStop" in event:
            finish = FINISH_REASONS.get(event["messageStop"].get("stopReason", ""), "stop")
            if self._json_blocks and not self._tool_index and finish == "tool_calls":
                finish = "stop"
            return [self._chunk({}, finish)]
        if "metadata" in event and self.include_usage:
            usage = usage_from_converse(event["metadata"].get("usage") or {})
            return [ChatCompletionChunk(id=self.completion_id, model=self.model, choices=[], usage=usage)]
        return []

    def _chunk(self, delta: dict[str, Any], finish_reason: str | None = None) -> ChatCompletionChunk:
        choice = {"index": 0, "delta": delta, "finish_reason": finish_reason}
        return ChatCompletionChunk(id=self.completion_id, model=self.model, choices=[choice])


# -- requests, piece by piece -------------------------------------------------------------


def _user_blocks(message: ChatMessage, i: int) -> list[dict[str, Any]]:
    if isinstance(message.content, str) or message.content is None:
        return [{"text": message.content}] if message.content else []
    blocks: list[dict[str, Any]] = []
    for part in message.content:
        kind = part.get("type")
        if kind == "text":
            if part.get("text"):
                blocks.append({"text": part["text"]})
        elif kind == "image_url":
            blocks.append({"image": _image(part.get("image_url") or {}, i)})
        else:
            raise BadRequestError(f"messages[{i}]: content part type {kind!r} is not supported", param="messages")
    return blocks


def _image(image_url: dict[str, Any], i: int) -> dict[str, Any]:
    """Converse takes image bytes (or an S3 object), never a web URL to fetch."""
    url = str(image_url.get("url", ""))
    if url.startswith("s3://"):
        return {"format": _format_from_name(url, i), "source": {"s3Location": {"uri": url}}}
    if not url.startswith("data:"):
        raise BadRequestError(
            f"messages[{i}]: Bedrock needs images inline (a data: URL with base64) or in S3 (s3://), not {url[:40]!r}",
            param="messages",
        )
    header, _, data = url[5:].partition(",")
    mime = header.split(";")[0].lower()
    if mime not in _IMAGE_FORMATS or ";base64" not in header:
        raise BadRequestError(f"messages[{i}]: images must be base64 png, jpeg, gif or webp", param="messages")
    try:
        raw = base64.b64decode(data, validate=True)
    except binascii.Error:
        raise BadRequestError(f"messages[{i}]: the image's base64 data is invalid", param="messages") from None
    return {"format": _IMAGE_FORMATS[mime], "source": {"bytes": raw}}


def _format_from_name(url: str, i: int) -> str:
    extension = url.rsplit(".", 1)[-1].lower()
    fmt = {"jpg": "jpeg"}.get(extension, extension)
    if fmt not in _IMAGE_FORMATS.values():
        raise BadRequestError(f"messages[{i}]: cannot tell the image format of {url!r}", param="messages")
    return fmt


def _assistant_blocks(message: ChatMessage, i: int) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [{"text": text} for text in text_parts(message, i) if text]
    for call in message.tool_calls or []:
        function = call.get("function") or {}
        try:
            arguments = json.loads(function.get("arguments") or "{}")
        except ValueError:
            raise BadRequestError(f"messages[{i}]: tool call arguments are not JSON", param="messages") from None
        blocks.append(
            {"toolUse": {"toolUseId": call.get("id", ""), "name": function.get("name", ""), "input": arguments}}
        )
    return blocks


def _inference_config(request: ChatCompletionRequest) -> dict[str, Any]:
    config: dict[str, Any] = {}
    if request.max_output_tokens is not None:
        config["maxTokens"] = request.max_output_tokens
    if request.temperature is not None:
        config["temperature"] = request.temperature
    if request.top_p is not None:
        config["topP"] = request.top_p
    if request.stop:
        config["stopSequences"] = [request.stop] if isinstance(request.stop, str) else list(request.stop)
    return config


def _tool_config(request: ChatCompletionRequest, turns: list[dict[str, Any]]) -> dict[str, Any] | None:
    tools = [_tool_spec(tool) for tool in request.tools or []]
    choice: dict[str, Any] | None = None
    json_tool = json_schema_tool(request)
    if json_tool is not None:
        schema = (request.response_format or {}).get("json_schema", {}).get("schema") or {"type": "object"}
        description = "Answer by calling this tool with the response as its input."
        tools.append({"toolSpec": {"name": json_tool, "description": description, "inputSchema": {"json": schema}}})
        choice = {"tool": {"name": json_tool}}
    elif request.tool_choice == "none":
        # Converse has no "none": offer no tools, unless the history holds tool blocks,
        # which Converse only accepts alongside a toolConfig.
        has_tool_blocks = any("toolUse" in b or "toolResult" in b for t in turns for b in t["content"])
        if not has_tool_blocks:
            return None
    elif request.tool_choice == "required":
        choice = {"any": {}}
    elif isinstance(request.tool_choice, dict):
        choice = {"tool": {"name": request.tool_choice.get("function", {}).get("name", "")}}
    elif request.tool_choice == "auto" and tools:
        choice = {"auto": {}}
    if not tools:
        return None
    config: dict[str, Any] = {"tools": tools}
    if choice is not None:
        config["toolChoice"] = choice
    return config


def _tool_spec(tool: dict[str, Any]) -> dict[str, Any]:
    name, description, parameters = function_tool(tool)
    spec: dict[str, Any] = {"name": name, "inputSchema": {"json": parameters}}
    if description:
        spec["description"] = description
    return {"toolSpec": spec}
