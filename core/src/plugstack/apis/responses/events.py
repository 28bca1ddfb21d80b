"""The typed stream events of a response, as OpenAI sends them, and the output items they build.

Events are JSON-ready dicts numbered by ``sequence_number``. :class:`Output` hands out
each item's ``output_index`` and writes the event sequence of each kind of item:
``output_item.added`` ... ``output_item.done``, with the content, argument and tool-call
progress events in between. Whatever the loop does, the items it finishes are appended
to the response's ``output`` in the order of their indexes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from plugstack.apis.responses.types import (
    FileSearchCall,
    FunctionCall,
    McpCall,
    McpListTools,
    OutputItem,
    OutputMessage,
    OutputRefusal,
    OutputText,
    ResponseObject,
    WebSearchCall,
)

__all__ = ["Event", "MessageWriter", "Output"]

Event = dict[str, Any]
_TOOL_EVENTS = {"file_search_call": "response.file_search_call", "web_search_call": "response.web_search_call"}


class Output:
    """The response's output as it grows, and the events that say so."""

    def __init__(self, response: ResponseObject, new_id: Callable[[str], str]) -> None:
        self.response = response
        self.new_id = new_id
        self.sequence = 0
        self._next_index = 0

    def event(self, kind: str, **fields: Any) -> Event:
        event = {"type": kind, "sequence_number": self.sequence, **fields}
        self.sequence += 1
        return event

    def lifecycle(self, kind: str) -> Event:
        """``response.created``, ``response.in_progress`` and the terminal events: the whole response."""
        return self.event(kind, response=self.response.model_dump(mode="json"))

    def added(self, item: OutputItem) -> tuple[int, Event]:
        index = self._next_index
        self._next_index += 1
        return index, self.event("response.output_item.added", output_index=index, item=item.model_dump(mode="json"))

    def done(self, index: int, item: OutputItem) -> Event:
        self.response.output.append(item)
        return self.event("response.output_item.done", output_index=index, item=item.model_dump(mode="json"))

    # -- whole items ------------------------------------------------------------------------

    def listing(self, item: McpListTools) -> list[Event]:
        index, added = self.added(item)
        ids = {"item_id": item.id, "output_index": index}
        return [
            added,
            self.event("response.mcp_list_tools.in_progress", **ids),
            self.event("response.mcp_list_tools.completed", **ids),
            self.done(index, item),
        ]

    def function_call(self, call_id: str, name: str, arguments: str) -> list[Event]:
        item = FunctionCall(id=self.new_id("fc"), call_id=call_id, name=name, arguments="", status="in_progress")
        index, added = self.added(item)
        ids = {"item_id": item.id, "output_index": index}
        done = item.model_copy(update={"arguments": arguments, "status": "completed"})
        return [
            added,
            self.event("response.function_call_arguments.delta", delta=arguments, **ids),
            self.event("response.function_call_arguments.done", arguments=arguments, **ids),
            self.done(index, done),
        ]

    def refusal(self, text: str) -> list[Event]:
        item = OutputMessage(id=self.new_id("msg"), status="in_progress")
        index, added = self.added(item)
        ids = {"item_id": item.id, "output_index": index, "content_index": 0}
        part = OutputRefusal(refusal=text)
        return [
            added,
            self.event("response.content_part.added", part={"type": "refusal", "refusal": ""}, **ids),
            self.event("response.refusal.delta", delta=text, **ids),
            self.event("response.refusal.done", refusal=text, **ids),
            self.event("response.content_part.done", part=part.model_dump(mode="json"), **ids),
            self.done(index, item.model_copy(update={"content": [part], "status": "completed"})),
        ]

    # -- server-side tool calls, in two halves around the call --------------------------------

    def tool_started(
        self, item: FileSearchCall | WebSearchCall | McpCall, arguments: str = ""
    ) -> tuple[int, list[Event]]:
        index, added = self.added(item)
        ids = {"item_id": item.id, "output_index": index}
        if isinstance(item, McpCall):
            return index, [
                added,
                self.event("response.mcp_call_arguments.delta", delta=arguments, **ids),
                self.event("response.mcp_call_arguments.done", arguments=arguments, **ids),
                self.event("response.mcp_call.in_progress", **ids),
            ]
        prefix = _TOOL_EVENTS[item.type]
        return index, [added, self.event(f"{prefix}.in_progress", **ids), self.event(f"{prefix}.searching", **ids)]

    def tool_finished(self, index: int, item: FileSearchCall | WebSearchCall | McpCall) -> list[Event]:
        ids = {"item_id": item.id, "output_index": index}
        if isinstance(item, McpCall):
            outcome = "failed" if item.status == "failed" else "completed"
            return [self.event(f"response.mcp_call.{outcome}", **ids), self.done(index, item)]
        return [self.event(f"{_TOOL_EVENTS[item.type]}.completed", **ids), self.done(index, item)]


class MessageWriter:
    """One assistant message streamed as text deltas: opened at the first text, closed at the round's end."""

    def __init__(self, output: Output) -> None:
        self.output = output
        self.item: OutputMessage | None = None
        self.index = -1
        self.text = ""

    @property
    def opened(self) -> bool:
        return self.item is not None

    def delta(self, text: str) -> list[Event]:
        events: list[Event] = []
        if self.item is None:
            self.item = OutputMessage(id=self.output.new_id("msg"), status="in_progress")
            self.index, added = self.output.added(self.item)
            events += [added, self.output.event("response.content_part.added", part=_text_part(""), **self._ids())]
        self.text += text
        if text:
            events.append(self.output.event("response.output_text.delta", delta=text, logprobs=[], **self._ids()))
        return events

    def close(self, status: str = "completed") -> list[Event]:
        assert self.item is not None
        part = _text_part(self.text)
        done = self.item.model_copy(update={"content": [OutputText(text=self.text)], "status": status})
        events = [
            self.output.event("response.output_text.done", text=self.text, logprobs=[], **self._ids()),
            self.output.event("response.content_part.done", part=part, **self._ids()),
            self.output.done(self.index, done),
        ]
        self.item = done
        return events

    def _ids(self) -> dict[str, Any]:
        assert self.item is not None
        return {"item_id": self.item.id, "output_index": self.index, "content_index": 0}


def _text_part(text: str) -> dict[str, Any]:
    return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}
