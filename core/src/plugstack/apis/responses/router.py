"""The Responses router: what ``stack.responses`` is, in library and server mode alike.

``create`` prepares a response (everything that can be refused is refused here, as an
HTTP error, before anything streams), runs the agent loop (:mod:`.loop`), then stores
the response and appends to its conversation *before* reporting it: the HTTP answer, or
the terminal stream event, is sent only once the response can be retrieved. Unstreamed,
it returns the :class:`ResponseObject`; with ``stream=True`` an async iterator of
:class:`ResponseStreamEvent` (the server relays the same events as SSE).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Any, Literal, Protocol

import pluggy
from pydantic import BaseModel

from plugstack.apis.definition import RouterContext
from plugstack.apis.inference.router import InferenceRouter
from plugstack.apis.models.table import ModelsRoutingTable
from plugstack.apis.prompts.router import PromptsRouter
from plugstack.apis.responses.events import Event, Output
from plugstack.apis.responses.file_search import FileSearch
from plugstack.apis.responses.loop import AgentLoop, ResponseRun
from plugstack.apis.responses.messages import chat_messages
from plugstack.apis.responses.store import ResponseStore, StoredResponse
from plugstack.apis.responses.tools import ServerTools
from plugstack.apis.responses.types import (
    ConversationRef,
    CreateResponseRequest,
    InputItemList,
    McpTool,
    ResponseDeleted,
    ResponseObject,
    ResponseStreamEvent,
    ResponseTool,
    TextConfig,
)
from plugstack.apis.safety.guardrails import GuardrailRule, Guardrails
from plugstack.apis.safety.router import SafetyRouter
from plugstack.errors import BadRequestError, NotFoundError, NotImplementedByProviderError
from plugstack.validation import validate_request

__all__ = ["DEFAULT_MAX_ROUNDS", "Conversations", "ResponsesRouter", "build_routers"]

DEFAULT_MAX_ROUNDS = 10
_MAX_PAGE = 100
_ITEMS_PER_ADD = 20  # the Conversations API takes at most 20 items per call
_TERMINAL = {"completed": "response.completed", "failed": "response.failed", "incomplete": "response.incomplete"}
_INCLUDABLE = frozenset(
    {
        "file_search_call.results",
        "web_search_call.results",
        "web_search_call.action.sources",
        "message.input_image.image_url",
        "computer_call_output.output.image_url",
        "code_interpreter_call.outputs",
        "reasoning.encrypted_content",
        "message.output_text.logprobs",
    }
)
_ITEM_ID_PREFIX = {
    "message": "msg",
    "function_call": "fc",
    "function_call_output": "fco",
    "file_search_call": "fs",
    "mcp_call": "mcp",
    "mcp_list_tools": "mcpl",
    "web_search_call": "ws",
}


class ConversationItemPage(Protocol):
    @property
    def data(self) -> Sequence[BaseModel | Mapping[str, Any]]: ...
    @property
    def has_more(self) -> bool: ...
    @property
    def last_id(self) -> str | None: ...


class Conversations(Protocol):
    """What the Conversations API's router offers this one (items in OpenAI's shapes, models or dicts)."""

    async def get_conversation(self, conversation_id: str) -> object: ...
    async def list_items(
        self, conversation_id: str, *, after: str | None = None, limit: int = 20, order: Literal["asc", "desc"] = "desc"
    ) -> ConversationItemPage: ...
    async def add_items(self, conversation_id: str, items: Sequence[Mapping[str, Any]]) -> ConversationItemPage: ...


async def build_routers(context: RouterContext) -> dict[str, object]:
    tool_runtime = context.routers.get("tool_runtime")
    tools = ServerTools(tool_runtime, FileSearch(tool_runtime, context.routers.get("vector_stores")))
    router = ResponsesRouter(
        inference=context.routers["inference"],
        models=context.routers["models"],
        store=ResponseStore(context.sqlstore),
        tools=tools,
        safety=context.routers.get("safety"),
        conversations=context.routers.get("conversations"),
        prompts=context.routers.get("prompts"),
        pm=context.pm,
    )
    return {"responses": router}


class ResponsesRouter:
    def __init__(
        self,
        *,
        inference: InferenceRouter,
        models: ModelsRoutingTable,
        store: ResponseStore,
        tools: ServerTools,
        safety: SafetyRouter | None,
        conversations: Conversations | None,
        prompts: PromptsRouter | None,
        pm: pluggy.PluginManager,
        max_rounds: int = DEFAULT_MAX_ROUNDS,
    ) -> None:
        self.models = models
        self.store = store
        self.tools = tools
        self.safety = safety
        self.conversations = conversations
        self.prompts = prompts
        self.pm = pm
        self.loop = AgentLoop(inference, tools, max_rounds=max_rounds)

    @property
    def max_rounds(self) -> int:
        """How many model calls one response may make (the bound of its tool loop)."""
        return self.loop.max_rounds

    @max_rounds.setter
    def max_rounds(self, value: int) -> None:
        self.loop.max_rounds = value

    # -- create ---------------------------------------------------------------------------------

    async def create(
        self, request: CreateResponseRequest | None = None, /, **params: Any
    ) -> ResponseObject | AsyncIterator[ResponseStreamEvent]:
        """Create a response; with ``stream=True`` an async iterator of its typed events."""
        request = validate_request(CreateResponseRequest, request, params)
        run = await self._prepare(request)
        if request.stream:
            return _typed(self._events(run))
        async for _ in self._events(run):
            pass
        return run.response

    async def create_event_stream(self, request: CreateResponseRequest) -> AsyncIterator[Event]:
        """A streamed response's events as JSON-ready dicts (the server's path); refusals raise here."""
        return self._events(await self._prepare(request))

    async def _events(self, run: ResponseRun) -> AsyncIterator[Event]:
        async for event in self.loop.run(run):
            yield event
        response = run.response
        if response.status == "completed":
            response.completed_at = int(time.time())
        await self._persist(run)
        yield run.output.lifecycle(_TERMINAL.get(response.status, "response.failed"))

    async def _persist(self, run: ResponseRun) -> None:
        """Store the response and add its items to its conversation: both before it is reported."""
        if run.request.store:
            await self.store.save(StoredResponse(run.response, run.input_items, run.history))
        conversation_id = run.request.conversation_id
        if conversation_id is not None and self.conversations is not None:
            output = [item.model_dump(mode="json") for item in run.response.output]
            items = [*run.input_items, *output]
            for start in range(0, len(items), _ITEMS_PER_ADD):
                await self.conversations.add_items(conversation_id, items[start : start + _ITEMS_PER_ADD])

    async def _instructions(self, request: CreateResponseRequest) -> str | None:
        """The request's instructions, after its prompt (of the Prompts API) rendered with its variables."""
        if request.prompt is None:
            return request.instructions
        if self.prompts is None:
            raise BadRequestError("prompt needs the prompts API, which the run config does not enable", param="prompt")
        ref = request.prompt
        rendered = await self.prompts.render(ref.id, ref.version, ref.variables)
        return f"{rendered}\n\n{request.instructions}" if request.instructions else rendered

    async def _prepare(self, request: CreateResponseRequest) -> ResponseRun:
        if request.background:
            raise NotImplementedByProviderError("background responses are not supported", param="background")
        if request.previous_response_id is not None and request.conversation is not None:
            raise BadRequestError(
                "previous_response_id and conversation cannot be used together", param="previous_response_id"
            )
        unknown = sorted(set(request.include) - _INCLUDABLE)
        if unknown:
            raise BadRequestError(f"include: unknown values {unknown}; known: {sorted(_INCLUDABLE)}", param="include")
        _check_text_format(request.text)
        model = self.models.resolve(request.model)
        if model.model_type != "llm":
            raise BadRequestError(f"model {model.id!r} is an embedding model; it cannot respond", param="model")
        history = await self._history(request)
        input_items = _input_items(request, _new_id)
        instructions = await self._instructions(request)
        messages = chat_messages(instructions, history, input_items)
        tools = await self.tools.tool_set(request, _new_id)
        response = ResponseObject(
            id=_new_id("resp"),
            model=request.model,
            instructions=instructions,
            prompt=request.prompt,
            max_output_tokens=request.max_output_tokens,
            max_tool_calls=request.max_tool_calls,
            parallel_tool_calls=request.parallel_tool_calls,
            previous_response_id=request.previous_response_id,
            conversation=ConversationRef(id=request.conversation_id) if request.conversation_id else None,
            temperature=request.temperature,
            text=request.text or TextConfig(),
            tool_choice=request.tool_choice,
            tools=[_without_secrets(tool) for tool in request.tools],
            top_p=request.top_p,
            truncation=request.truncation or "disabled",
            user=request.user,
            metadata=request.metadata or {},
            store=request.store,
        )
        return ResponseRun(
            request=request,
            response=response,
            input_items=input_items,
            history=history,
            messages=messages,
            tools=tools,
            output=Output(response, _new_id),
            guard=self._guard(request.guardrails),
        )

    async def _history(self, request: CreateResponseRequest) -> list[dict[str, Any]]:
        """The items before this response's input: the chain of earlier responses, or the conversation."""
        if request.previous_response_id is not None:
            previous = await self.store.get(request.previous_response_id, param="previous_response_id")
            return previous.context()
        conversation_id = request.conversation_id
        if conversation_id is None:
            return []
        if self.conversations is None:
            raise BadRequestError(
                "conversation needs the conversations API; the run config enables none", param="conversation"
            )
        await self.conversations.get_conversation(conversation_id)
        items: list[dict[str, Any]] = []
        after: str | None = None
        while True:
            page = await self.conversations.list_items(conversation_id, after=after, limit=_MAX_PAGE, order="asc")
            items.extend(
                item.model_dump(mode="json") if isinstance(item, BaseModel) else dict(item) for item in page.data
            )
            if not page.has_more or not page.data:
                return items
            after = page.last_id

    def _guard(self, shield_ids: list[str]) -> Guardrails | None:
        """The request's own guardrails: its shields on the input and on the answer."""
        if not shield_ids:
            return None
        if self.safety is None:
            raise BadRequestError("guardrails need the safety API; the run config enables none", param="guardrails")
        for shield_id in shield_ids:
            if self.safety.shields.table.find(shield_id) is None:
                known = ", ".join(s.id for s in self.safety.shields.list()) or "none"
                raise NotFoundError(f"shield {shield_id!r} not found; shields: {known}", param="guardrails")
        rule = GuardrailRule(models=["*"], input_shields=shield_ids, output_shields=shield_ids)
        return Guardrails(self.safety, [rule])

    # -- stored responses -------------------------------------------------------------------------

    async def retrieve(self, response_id: str) -> ResponseObject:
        return (await self.store.get(response_id)).response

    async def delete(self, response_id: str) -> ResponseDeleted:
        await self.store.delete(response_id)
        return ResponseDeleted(id=response_id)

    async def list_input_items(
        self,
        response_id: str,
        *,
        after: str | None = None,
        before: str | None = None,
        limit: int = 20,
        order: Literal["asc", "desc"] = "desc",
        include: list[str] | None = None,
    ) -> InputItemList:
        """The input items a response was given, a cursor page of them (``after``/``before`` take item ids)."""
        if not 1 <= limit <= _MAX_PAGE:
            raise BadRequestError(f"limit must be between 1 and {_MAX_PAGE}", param="limit")
        if order not in ("asc", "desc"):
            raise BadRequestError(f"order must be 'asc' or 'desc', got {order!r}", param="order")
        items = (await self.store.get(response_id)).input_items
        if order == "desc":
            items = items[::-1]
        ids = [item.get("id") for item in items]
        for cursor, name in ((after, "after"), (before, "before")):
            if cursor is not None and cursor not in ids:
                raise NotFoundError(
                    f"{cursor!r} (the {name!r} cursor) is not an input item of {response_id!r}", param=name
                )
        if before is not None:
            items = items[: ids.index(before)]
        if after is not None:
            items = items[ids.index(after) + 1 :]
        page = items[:limit]
        return InputItemList(
            data=page,
            first_id=page[0].get("id") if page else None,
            last_id=page[-1].get("id") if page else None,
            has_more=len(items) > limit,
        )


async def _typed(events: AsyncIterator[Event]) -> AsyncIterator[ResponseStreamEvent]:
    async for event in events:
        yield ResponseStreamEvent.model_validate(event)


def _input_items(request: CreateResponseRequest, new_id: Callable[[str], str]) -> list[dict[str, Any]]:
    """The request's input as items in OpenAI's stored shapes, each with an id (``input_items`` lists them)."""
    items = []
    for given in request.input:
        item = given.model_dump(mode="json", exclude_none=True)
        if not item.get("id"):
            item["id"] = new_id(_ITEM_ID_PREFIX.get(item["type"], "item"))
        if item["type"] == "message":
            item.setdefault("status", "completed")
            if isinstance(item["content"], str):
                kind = "output_text" if item["role"] == "assistant" else "input_text"
                part: dict[str, Any] = {"type": kind, "text": item["content"]}
                if kind == "output_text":
                    part["annotations"] = []
                item["content"] = [part]
        items.append(item)
    return items


def _check_text_format(text: TextConfig | None) -> None:
    if text is None or text.format.type != "json_schema":
        return
    for name, value in (("name", text.format.name), ("schema", text.format.schema_)):
        if value is None:
            raise BadRequestError(f"a json_schema text format needs a {name}", param=f"text.format.{name}")


def _without_secrets(tool: ResponseTool) -> ResponseTool:
    """The tool as the response shows and stores it: an MCP server's headers and token are left out."""
    if isinstance(tool, McpTool) and (tool.headers or tool.authorization):
        return tool.model_copy(update={"headers": None, "authorization": None})
    return tool


def _new_id(prefix: str) -> str:
    """A random id that sorts by creation time."""
    return f"{prefix}_{time.time_ns():016x}{secrets.token_hex(8)}"
