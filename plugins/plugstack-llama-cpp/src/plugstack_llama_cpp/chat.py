"""Chat completions on llama.cpp: the prompt from the GGUF's chat template, chunks in OpenAI's shape.

:func:`plan_chat` validates the request and decides messages and grammar on the event
loop; :func:`generate_chat` runs in the model's worker thread and yields
:class:`ChatCompletionChunk` objects, one per token. Models with a ``chat_format``
configured go through llama-cpp-python's own handler instead (:func:`generate_chat_with_format`),
which also does tool calling in that format's own way.
"""

from __future__ import annotations

import functools
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from plugstack.apis.inference import ChatCompletionChunk, ChatCompletionRequest, ChunkChoice, Usage
from plugstack.errors import BadRequestError, NotImplementedByProviderError
from plugstack_llama_cpp import tool_calls
from plugstack_llama_cpp.sampling import (
    TokenCounter,
    cached_prefix,
    chat_logprobs,
    check_context,
    check_logprobs,
    sampling_kwargs,
    usage,
)

if TYPE_CHECKING:
    from llama_cpp import Llama
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

__all__ = ["ChatPlan", "generate_chat", "generate_chat_with_format", "plan_chat"]

# llama-cpp-python's chat handlers use this repeat penalty; so do we, for the same answers
CHAT_REPEAT_PENALTY = 1.1


@dataclass
class ChatPlan:
    """What the worker needs beyond the request: template-ready messages and a grammar."""

    messages: list[dict[str, Any]]
    tool_mode: tool_calls.ToolMode = "none"
    functions: list[dict[str, Any]] = field(default_factory=list)
    grammar: str | None = None  # GBNF


def plan_chat(request: ChatCompletionRequest) -> ChatPlan:
    if request.n not in (None, 1):
        raise NotImplementedByProviderError("inline::llama-cpp generates one choice per request (n must be 1)")
    messages = [_template_message(m.model_dump(exclude_none=True)) for m in request.messages]
    mode = tool_calls.tool_mode(request.tools, request.tool_choice)
    grammar = response_format_grammar(request.response_format)
    if mode == "none":
        return ChatPlan(tool_calls.history_for_template(messages), grammar=grammar)
    if grammar is not None:
        raise BadRequestError("response_format cannot be combined with tools here", param="response_format")
    functions = tool_calls.allowed_tools(request.tools or [], request.tool_choice)
    messages = tool_calls.history_for_template(messages)
    instruction = tool_calls.tool_system_prompt(functions, mode)
    if messages[0]["role"] == "system":
        messages[0] = {"role": "system", "content": f"{messages[0]['content']}\n\n{instruction}"}
    else:
        messages.insert(0, {"role": "system", "content": instruction})
    return ChatPlan(messages, mode, functions, tool_calls.tool_call_grammar(functions, mode))


def response_format_grammar(response_format: dict[str, Any] | None) -> str | None:
    """GBNF enforcing ``response_format``: any JSON object, or JSON matching a schema."""
    kind = (response_format or {}).get("type", "text")
    if kind == "text":
        return None
    from llama_cpp.llama_grammar import JSON_GBNF, json_schema_to_gbnf

    if kind == "json_object":
        return str(JSON_GBNF)
    if kind == "json_schema":
        schema = ((response_format or {}).get("json_schema") or {}).get("schema")
        if not isinstance(schema, dict):
            raise BadRequestError(
                "response_format.json_schema.schema must be a JSON schema object", param="response_format"
            )
        try:
            return str(json_schema_to_gbnf(json.dumps(schema)))
        except Exception as exc:  # the converter raises bare Exceptions on unsupported schemas
            raise BadRequestError(
                f"unsupported JSON schema in response_format: {exc}", param="response_format"
            ) from None
    raise BadRequestError(
        f"response_format type {kind!r} is not 'text', 'json_object' or 'json_schema'", param="response_format"
    )


def generate_chat(
    llama: Llama, model_id: str, request: ChatCompletionRequest, plan: ChatPlan, stop: threading.Event
) -> Iterator[ChatCompletionChunk]:
    """Worker thread: the chunks of one chat completion, the last carrying usage if asked."""
    from llama_cpp import StoppingCriteriaList
    from llama_cpp.llama_grammar import LlamaGrammar

    formatted = _formatter(llama)(messages=plan.messages)  # type: ignore[arg-type]
    prompt = llama.tokenize(formatted.prompt.encode("utf-8"), add_bos=not formatted.added_special, special=True)
    check_context(llama, model_id, len(prompt))
    if request.logprobs:
        check_logprobs(llama, model_id)
    counter = TokenCounter(stop)
    cached = cached_prefix(llama, prompt)
    criteria = StoppingCriteriaList([counter, *(formatted.stopping_criteria or [])])
    user_stop = [request.stop] if isinstance(request.stop, str) else list(request.stop or [])
    template_stop = [formatted.stop] if isinstance(formatted.stop, str) else list(formatted.stop or [])
    pieces = cast(
        "Iterator[dict[str, Any]]",
        llama.create_completion(
            prompt=prompt,
            max_tokens=request.max_output_tokens,
            stop=user_stop + template_stop,
            stream=True,
            logprobs=(request.top_logprobs or 0) if request.logprobs else None,
            repeat_penalty=CHAT_REPEAT_PENALTY,
            stopping_criteria=criteria,
            grammar=LlamaGrammar.from_string(plan.grammar, verbose=False) if plan.grammar else None,
            **sampling_kwargs(request),
        ),
    )
    chunk = _ChunkMaker(request.model)
    yield chunk({"role": "assistant", "content": ""})
    deciding = plan.tool_mode == "auto"  # until the first character says: call or text
    buffering = plan.tool_mode == "required"
    held: list[str] = []
    held_logprobs: list[dict[str, Any]] = []
    finish = "stop"
    for piece in pieces:
        choice = piece["choices"][0]
        text: str = choice["text"]
        finish = choice["finish_reason"] or finish
        logprobs = chat_logprobs(choice.get("logprobs"), request.top_logprobs or 0) if request.logprobs else None
        if deciding and text:
            deciding, buffering = False, text.startswith("{")
        if deciding or buffering:
            held.append(text)
            held_logprobs.extend(logprobs or [])
        elif text or logprobs:
            yield chunk({"content": text}, logprobs={"content": logprobs} if logprobs is not None else None)
    if held:
        text = "".join(held)
        call = tool_calls.parse_tool_call(text, plan.functions) if plan.tool_mode != "none" else None
        if call is not None:
            yield chunk({"tool_calls": [{"index": 0, **call}]})
            finish = "tool_calls"
        else:  # cut short by max_tokens or stop: hand over what there is
            yield chunk({"content": text}, logprobs={"content": held_logprobs} if request.logprobs else None)
    yield chunk({}, finish)
    if _include_usage(request):
        yield chunk.usage(usage(len(prompt), counter.sampled, cached))


def generate_chat_with_format(
    llama: Llama, model_id: str, request: ChatCompletionRequest, stop: threading.Event
) -> Iterator[ChatCompletionChunk]:
    """Worker thread: a chat completion through llama-cpp-python's handler for ``chat_format``.

    Tools, tool_choice and response_format go to that handler as they are. Usage is not
    reported in this mode (the handler's stream does not count tokens).
    """
    if request.logprobs:
        check_logprobs(llama, model_id)
    response_format = request.response_format
    if response_format and response_format.get("type") == "json_schema":
        schema = (response_format.get("json_schema") or {}).get("schema")
        response_format = {"type": "json_object", "schema": schema}
    try:
        stream = llama.create_chat_completion(
            messages=[m.model_dump(exclude_none=True) for m in request.messages],  # type: ignore[misc]
            tools=request.tools,  # type: ignore[arg-type]
            tool_choice=request.tool_choice,  # type: ignore[arg-type]
            response_format=response_format,  # type: ignore[arg-type]
            max_tokens=request.max_output_tokens,
            stop=request.stop,
            stream=True,
            logprobs=request.logprobs,
            top_logprobs=request.top_logprobs,
            repeat_penalty=CHAT_REPEAT_PENALTY,
            **sampling_kwargs(request),
        )
        for raw in stream:
            if stop.is_set():
                return
            yield ChatCompletionChunk.model_validate(json.loads(json.dumps(raw, default=float)))
    except ValueError as exc:  # llama-cpp-python reports context overflow and bad tool choices so
        raise BadRequestError(f"model {model_id!r}: {exc}") from None


class _ChunkMaker:
    def __init__(self, model: str) -> None:
        self.id = f"chatcmpl-{uuid.uuid4().hex}"
        self.created = int(time.time())
        self.model = model

    def __call__(
        self, delta: dict[str, Any], finish_reason: str | None = None, logprobs: dict[str, Any] | None = None
    ) -> ChatCompletionChunk:
        return ChatCompletionChunk(
            id=self.id,
            created=self.created,
            model=self.model,
            choices=[ChunkChoice(delta=delta, finish_reason=finish_reason, logprobs=logprobs)],
        )

    def usage(self, usage: Usage) -> ChatCompletionChunk:
        return ChatCompletionChunk(id=self.id, created=self.created, model=self.model, choices=[], usage=usage)


def _include_usage(request: ChatCompletionRequest) -> bool:
    """Non-streaming answers always carry usage; streams only when asked (OpenAI's rule)."""
    return not request.stream or bool((request.stream_options or {}).get("include_usage"))


def _template_message(message: dict[str, Any]) -> dict[str, Any]:
    """A request message as chat templates expect it: text content, known roles."""
    content = message.get("content")
    if isinstance(content, list):
        parts = []
        for part in content:
            if part.get("type") != "text":
                raise NotImplementedByProviderError(
                    f"inline::llama-cpp serves text-only models; content part type {part.get('type')!r} is not supported"
                )
            parts.append(part.get("text", ""))
        content = "".join(parts)
    role = "system" if message["role"] == "developer" else message["role"]
    return {**message, "role": role, "content": content or ""}


def _formatter(llama: Llama) -> Jinja2ChatFormatter:
    eos_id, bos_id = llama.token_eos(), llama.token_bos()
    eos = llama._model.token_get_text(eos_id) if eos_id != -1 else ""
    bos = llama._model.token_get_text(bos_id) if bos_id != -1 else ""
    return _compiled_formatter(llama.metadata["tokenizer.chat_template"], eos, bos, eos_id)


@functools.lru_cache(maxsize=16)
def _compiled_formatter(template: str, eos: str, bos: str, eos_id: int) -> Jinja2ChatFormatter:
    """Compiling a template takes milliseconds; do it once per model, as llama-cpp-python does."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    return Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos, stop_token_ids=[eos_id])
