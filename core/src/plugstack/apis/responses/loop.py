"""The agent loop: the model, and the tools it asks for, until it answers (or a bound stops it).

Each round is one chat completion over the messages so far, offering every tool of the
response as a function. The model's text becomes a message item; its calls of
plugstack's tools (``file_search``, ``web_search``, MCP tools) run here and their results
are fed back for another round; a call of a client ``function`` ends the response with
``function_call`` items (the client answers with ``function_call_output`` items and
``previous_response_id``). Rounds are bounded (``max_rounds``): reaching the bound ends
the response ``failed`` with the reason, never an error. Server-side calls are bounded
by ``max_tool_calls`` as OpenAI defines it: further calls are ignored (the model is told
so), and the rounds after the budget is spent offer only the client's functions, so the
model answers. A ``tool_choice`` that forces a call (``required``, or a named tool)
binds the first round only: once the model has called a tool, later rounds may answer,
or a forced call of ``file_search`` would repeat until the bound (and with a model
constrained by a grammar, as ``inline::llama-cpp`` is, it does). Usage is summed over
the rounds.

A shield's violation (the configured guardrails, which the inference router applies to
every round, or the request's own ``guardrails``) ends the response with a refusal
item. Other failures propagate (an HTTP error) unless the response streams: then they
end it ``failed`` with the error.

The loop yields the response's stream events (:mod:`.events`), but never the terminal
one: the router stores the response first. Unstreamed, the events are simply dropped.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from plugstack.apis.inference.router import InferenceRouter
from plugstack.apis.inference.types import ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, ChatMessage
from plugstack.apis.responses.events import Event, MessageWriter, Output
from plugstack.apis.responses.tools import ServerTools, ToolHandler, ToolSet
from plugstack.apis.responses.types import (
    CreateResponseRequest,
    FileSearchCall,
    IncompleteDetails,
    McpCall,
    ResponseError,
    ResponseObject,
    ResponseUsage,
    WebSearchCall,
)
from plugstack.apis.safety.guardrails import Guardrails, ShieldViolationError
from plugstack.errors import PlugstackError, RateLimitError
from plugstack.streams import aclose

__all__ = ["AgentLoop", "ResponseRun"]


@dataclass
class ResponseRun:
    """One response being made: everything :class:`AgentLoop` needs, prepared before it starts."""

    request: CreateResponseRequest
    response: ResponseObject
    input_items: list[dict[str, Any]]
    history: list[dict[str, Any]]
    messages: list[ChatMessage]
    tools: ToolSet
    output: Output
    guard: Guardrails | None = None  # the request's own guardrails

    @property
    def streaming(self) -> bool:
        return self.request.stream


@dataclass
class _Answer:
    """What one round's model said: its text, its tool calls, why it stopped, what it cost."""

    text: str = ""
    tool_calls: dict[int, dict[str, Any]] = field(default_factory=dict)
    finish_reason: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0

    @classmethod
    def of(cls, completion: ChatCompletion) -> _Answer:
        choice = completion.choices[0]
        answer = cls(text=choice.message.content or "", finish_reason=choice.finish_reason)
        answer.tool_calls = dict(enumerate(choice.message.tool_calls or []))
        if completion.usage is not None:
            answer.input_tokens, answer.output_tokens = (
                completion.usage.prompt_tokens,
                completion.usage.completion_tokens,
            )
        return answer

    def add_chunk(self, chunk: ChatCompletionChunk) -> str:
        """Fold a streamed chunk in; the text it adds."""
        if chunk.usage is not None:
            self.input_tokens, self.output_tokens = chunk.usage.prompt_tokens, chunk.usage.completion_tokens
        if not chunk.choices:
            return ""
        choice = chunk.choices[0]
        if choice.finish_reason:
            self.finish_reason = choice.finish_reason
        for delta in choice.delta.get("tool_calls") or []:
            call = self.tool_calls.setdefault(int(delta.get("index", 0)), {"function": {"name": "", "arguments": ""}})
            if delta.get("id"):
                call["id"] = delta["id"]
            function = delta.get("function") or {}
            call["function"]["name"] += function.get("name") or ""
            call["function"]["arguments"] += function.get("arguments") or ""
        text: str = choice.delta.get("content") or ""
        self.text += text
        return text


class AgentLoop:
    def __init__(self, inference: InferenceRouter, tools: ServerTools, *, max_rounds: int) -> None:
        self.inference = inference
        self.tools = tools
        self.max_rounds = max_rounds

    async def run(self, run: ResponseRun) -> AsyncIterator[Event]:
        out = run.output
        yield out.lifecycle("response.created")
        yield out.lifecycle("response.in_progress")
        for listing in run.tools.listings:
            for event in out.listing(listing):
                yield event
        try:
            async for event in self._rounds(run):
                yield event
        except PlugstackError as exc:
            if not run.streaming:
                raise
            code = "rate_limit_exceeded" if isinstance(exc, RateLimitError) else "server_error"
            run.response.status = "failed"
            run.response.error = ResponseError(code=code, message=exc.message)

    async def _rounds(self, run: ResponseRun) -> AsyncIterator[Event]:
        response, out = run.response, run.output
        usage = response.usage = ResponseUsage()
        server_calls, limit = 0, run.request.max_tool_calls
        for round_number in range(self.max_rounds):
            writer = MessageWriter(out)
            answer = _Answer()
            try:
                spent = limit is not None and server_calls >= limit
                chat = self._chat_request(run, run.tools.functions_only() if spent else run.tools)
                if round_number == 0 and run.guard is not None:
                    await run.guard.check_request(chat)
                async for event in self._ask(run, chat, writer, answer):
                    yield event
            except ShieldViolationError as exc:
                if writer.opened:  # text already checked and streamed; the refusal replaces it
                    for event in writer.close("incomplete"):
                        yield event
                    response.output.remove(writer.item)  # type: ignore[arg-type]
                for event in out.refusal(exc.violation.user_message or exc.message):
                    yield event
                response.status = "completed"
                return
            usage.input_tokens += answer.input_tokens
            usage.output_tokens += answer.output_tokens
            usage.total_tokens = usage.input_tokens + usage.output_tokens
            truncated = answer.finish_reason == "length"
            if writer.opened or not answer.tool_calls:
                for event in [*writer.delta(""), *writer.close("incomplete" if truncated else "completed")]:
                    yield event
            if truncated:
                response.status = "incomplete"
                response.incomplete_details = IncompleteDetails(reason="max_output_tokens")
                return
            if not answer.tool_calls:
                response.status = "completed"
                return
            calls = [_normalised(call, out) for _, call in sorted(answer.tool_calls.items())]
            run.messages.append(ChatMessage(role="assistant", content=answer.text or None, tool_calls=calls))
            client_calls = 0
            for call in calls:
                name, arguments = call["function"]["name"], call["function"]["arguments"]
                handler = run.tools.handlers.get(name)
                if handler is None:
                    run.messages.append(_tool_message(call, f"error: there is no tool named {name!r}"))
                elif handler.kind == "function":
                    client_calls += 1
                    for event in out.function_call(call["id"], name, arguments):
                        yield event
                elif limit is not None and server_calls >= limit:
                    refused = f"error: not run; this response may call built-in tools at most {limit} times"
                    run.messages.append(_tool_message(call, refused))
                else:
                    server_calls += 1
                    async for event in self._server_call(run, handler, call):
                        yield event
            if client_calls:
                response.status = "completed"
                return
            run.tools.release_forced_choice()
        response.status = "failed"
        response.error = ResponseError(
            code="server_error",
            message=f"the tool loop reached its bound of {self.max_rounds} model calls without a final answer",
        )

    def _chat_request(self, run: ResponseRun, tools: ToolSet) -> ChatCompletionRequest:
        request = run.request
        offered = bool(tools.chat_tools)
        return ChatCompletionRequest(
            model=request.model,
            messages=run.messages,
            tools=tools.chat_tools if offered else None,
            tool_choice=tools.tool_choice if offered else None,
            parallel_tool_calls=request.parallel_tool_calls if offered else None,
            temperature=request.temperature,
            top_p=request.top_p,
            max_completion_tokens=request.max_output_tokens,
            response_format=_response_format(request),
            user=request.user,
            stream=True if run.streaming else None,
            stream_options={"include_usage": True} if run.streaming else None,
        )

    async def _ask(
        self, run: ResponseRun, chat: ChatCompletionRequest, writer: MessageWriter, answer: _Answer
    ) -> AsyncIterator[Event]:
        """One model call; its text as deltas of ``writer``'s message, the rest folded into ``answer``."""
        result = await self.inference.chat_completion(chat)
        if isinstance(result, ChatCompletion):
            if run.guard is not None:
                await run.guard.check_completion(chat, result)
            filled = _Answer.of(result)
            answer.__dict__.update(filled.__dict__)
            if answer.text:
                for event in writer.delta(answer.text):
                    yield event
            return
        chunks = result if run.guard is None else run.guard.guard_stream(chat, result)
        try:
            async for chunk in chunks:
                text = answer.add_chunk(chunk)
                if text:
                    for event in writer.delta(text):
                        yield event
        finally:
            await aclose(chunks)

    async def _server_call(self, run: ResponseRun, handler: ToolHandler, call: dict[str, Any]) -> AsyncIterator[Event]:
        """Run one of plugstack's tools, as an output item, and feed its answer back to the model."""
        out = run.output
        raw = call["function"]["arguments"]
        try:
            arguments = json.loads(raw or "{}")
        except ValueError:
            arguments = None
        if not isinstance(arguments, dict):
            run.messages.append(_tool_message(call, "error: the arguments must be a JSON object"))
            return
        item: FileSearchCall | WebSearchCall | McpCall
        if handler.kind == "mcp":
            assert handler.tool is not None
            item = McpCall(
                id=out.new_id("mcp"),
                server_label=handler.server_label,
                name=handler.tool.name,
                arguments="",
                status="in_progress",
            )
            index, events = out.tool_started(item, raw)
            for event in events:
                yield event
            outcome = await self.tools.call_mcp(handler, arguments)
            item = item.model_copy(
                update={
                    "arguments": raw,
                    "output": outcome.output,
                    "error": outcome.error,
                    "status": "failed" if outcome.error else "completed",
                }
            )
            answer = outcome.output if outcome.error is None else f"error: {json.dumps(outcome.error)}"
        else:
            query = str(arguments.get("query", ""))
            if handler.kind == "file_search":
                item = FileSearchCall(id=out.new_id("fs"), queries=[query], status="in_progress")
            else:
                item = WebSearchCall(
                    id=out.new_id("ws"), status="in_progress", action={"type": "search", "query": query}
                )
            index, events = out.tool_started(item)
            for event in events:
                yield event
            if isinstance(item, FileSearchCall):
                found = await self.tools.search_files(handler, query)
                results = found.results if "file_search_call.results" in run.request.include else None
                item = item.model_copy(update={"status": "completed", "results": results})
                answer = found.text
            else:
                answer = await self.tools.search_web(query)
                item = item.model_copy(update={"status": "completed"})
        for event in out.tool_finished(index, item):
            yield event
        run.messages.append(_tool_message(call, answer or ""))


def _normalised(call: dict[str, Any], out: Output) -> dict[str, Any]:
    """A tool call as chat messages carry it, with an id (some models leave it out)."""
    function = call.get("function") or {}
    return {
        "id": call.get("id") or out.new_id("call"),
        "type": "function",
        "function": {"name": function.get("name", ""), "arguments": function.get("arguments") or "{}"},
    }


def _tool_message(call: dict[str, Any], content: str) -> ChatMessage:
    return ChatMessage(role="tool", tool_call_id=call["id"], content=content)


def _response_format(request: CreateResponseRequest) -> dict[str, Any] | None:
    """``text.format`` as chat completions' ``response_format``."""
    text_format = request.text.format if request.text is not None else None
    if text_format is None or text_format.type == "text":
        return None
    if text_format.type == "json_object":
        return {"type": "json_object"}
    schema: dict[str, Any] = {"name": text_format.name, "schema": text_format.schema_}
    if text_format.description is not None:
        schema["description"] = text_format.description
    if text_format.strict is not None:
        schema["strict"] = text_format.strict
    return {"type": "json_schema", "json_schema": schema}
