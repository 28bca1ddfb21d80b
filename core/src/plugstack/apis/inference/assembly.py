"""``ChunkAssembler``: the chunks of a streamed chat completion put back together as one completion.

A streamed completion with ``store: true`` is stored as the :class:`ChatCompletion` it
would have been unstreamed. The assembler takes each chunk as a JSON object (``dict``):
the server's byte relay decodes the payloads it relays anyway, and a typed chunk is one
``model_dump`` away. Content, refusals and each tool call's arguments are concatenated;
the last ``finish_reason``, ``usage`` and ``system_fingerprint`` win, as in OpenAI's SDK.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from plugstack.apis.inference.types import ChatCompletion, Choice, ResponseMessage, Usage

__all__ = ["ChunkAssembler"]


class _ChoiceParts:
    """What the chunks of one choice said so far."""

    def __init__(self) -> None:
        self.content: list[str] = []
        self.refusal: list[str] = []
        self.tool_calls: dict[int, dict[str, Any]] = {}
        self.function_call: dict[str, str] | None = None
        self.logprobs: dict[str, list[Any]] = {}
        self.finish_reason: str | None = None

    def add(self, choice: Mapping[str, Any]) -> None:
        delta = choice.get("delta") or {}
        if delta.get("content"):
            self.content.append(delta["content"])
        if delta.get("refusal"):
            self.refusal.append(delta["refusal"])
        for call in delta.get("tool_calls") or ():
            self._add_tool_call(call)
        if delta.get("function_call"):  # the legacy single function call
            self.function_call = _merged_function(self.function_call or {}, delta["function_call"])
        for kind, entries in (choice.get("logprobs") or {}).items():
            if entries:
                self.logprobs.setdefault(kind, []).extend(entries)
        if choice.get("finish_reason"):
            self.finish_reason = choice["finish_reason"]

    def _add_tool_call(self, call: Mapping[str, Any]) -> None:
        merged = self.tool_calls.setdefault(int(call.get("index", len(self.tool_calls))), {})
        for key in ("id", "type"):
            if call.get(key):
                merged[key] = call[key]
        if call.get("function"):
            merged["function"] = _merged_function(merged.get("function", {}), call["function"])

    def choice(self, index: int) -> Choice:
        message = ResponseMessage(
            content="".join(self.content) if self.content else None,
            refusal="".join(self.refusal) if self.refusal else None,
            tool_calls=[{"type": "function", **self.tool_calls[i]} for i in sorted(self.tool_calls)] or None,
        )
        if self.function_call is not None:
            message.function_call = self.function_call  # type: ignore[attr-defined]  # an extra field
        return Choice(index=index, message=message, finish_reason=self.finish_reason, logprobs=self.logprobs or None)


def _merged_function(so_far: dict[str, str], piece: Mapping[str, Any]) -> dict[str, str]:
    """A streamed function's name and arguments arrive in pieces: concatenate them."""
    merged = dict(so_far)
    for key in ("name", "arguments"):
        if piece.get(key):
            merged[key] = merged.get(key, "") + piece[key]
    merged.setdefault("arguments", "")
    return merged


class ChunkAssembler:
    """Feed it every chunk of one stream (:meth:`add`), then take the :meth:`completion`."""

    def __init__(self) -> None:
        self.id: str | None = None
        self.created: int | None = None
        self.system_fingerprint: str | None = None
        self.usage: dict[str, Any] | None = None
        self._choices: dict[int, _ChoiceParts] = {}

    def add(self, chunk: Mapping[str, Any]) -> None:
        if self.id is None:
            self.id = chunk.get("id")
            self.created = chunk.get("created")
        if chunk.get("system_fingerprint"):
            self.system_fingerprint = chunk["system_fingerprint"]
        if chunk.get("usage"):
            self.usage = chunk["usage"]
        for choice in chunk.get("choices") or ():
            index = int(choice.get("index", 0))
            parts = self._choices.get(index)
            if parts is None:
                parts = self._choices[index] = _ChoiceParts()
            parts.add(choice)

    def completion(self, completion_id: str, model: str) -> ChatCompletion:
        """The completion the chunks make, under ``completion_id`` and answering as ``model``."""
        fields: dict[str, Any] = {}
        if self.created is not None:
            fields["created"] = self.created
        return ChatCompletion(
            id=completion_id,
            model=model,
            choices=[self._choices[i].choice(i) for i in sorted(self._choices)],
            usage=None if self.usage is None else Usage.model_validate(self.usage),
            system_fingerprint=self.system_fingerprint,
            **fields,
        )
