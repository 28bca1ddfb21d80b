"""The Responses API in OpenAI's wire format: the create request, its items and tools, the response.

Shapes follow OpenAI's (the official SDK's ``openai.types.responses`` parses them). The
request forbids unknown fields, so a misspelt option is a 400 naming it; fields OpenAI
defines that change nothing here (``user``, ``reasoning``, ``service_tier``...) are
accepted. Items keep fields they do not name (``extra="allow"``): a client may pass
earlier output items back as input, with every field the SDK gave it. ``guardrails`` (a
list of shield ids run on the input and the answer) is plugstack's extension.
"""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator

from plugstack.apis.metadata import Metadata
from plugstack.retrieval.filters import Filter

__all__ = [
    "ConversationRef",
    "CreateResponseRequest",
    "FileSearchCall",
    "FileSearchResult",
    "FileSearchTool",
    "FunctionCall",
    "FunctionCallOutput",
    "FunctionTool",
    "IncompleteDetails",
    "InputItem",
    "InputItemList",
    "InputMessage",
    "McpCall",
    "McpListTools",
    "McpListedTool",
    "McpTool",
    "OutputItem",
    "OutputMessage",
    "OutputRefusal",
    "OutputText",
    "ResponseDeleted",
    "ResponseError",
    "ResponseObject",
    "ResponseStreamEvent",
    "ResponseTool",
    "ResponseUsage",
    "TextConfig",
    "TextFormat",
    "WebSearchCall",
    "WebSearchTool",
]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Item(BaseModel):
    model_config = ConfigDict(extra="allow")


# -- content parts ------------------------------------------------------------------------


class InputText(_Item):
    type: Literal["input_text"]
    text: str


class InputImage(_Item):
    type: Literal["input_image"]
    image_url: str | None = None
    file_id: str | None = None
    detail: Literal["low", "high", "auto", "original"] = "auto"


class OutputText(_Item):
    type: Literal["output_text"] = "output_text"
    text: str
    annotations: list[dict[str, Any]] = Field(default_factory=list)
    logprobs: list[dict[str, Any]] = Field(default_factory=list)


class OutputRefusal(_Item):
    type: Literal["refusal"] = "refusal"
    refusal: str


ContentPart = Annotated[InputText | InputImage | OutputText | OutputRefusal, Field(discriminator="type")]


# -- items: what input holds, and what output holds ------------------------------------------


class InputMessage(_Item):
    """A message of the input; ``content`` is text or parts (an assistant's earlier output_text too)."""

    type: Literal["message"] = "message"
    id: str | None = None
    role: Literal["user", "assistant", "system", "developer"]
    content: str | list[ContentPart]
    status: Literal["in_progress", "completed", "incomplete"] | None = None


class OutputMessage(_Item):
    type: Literal["message"] = "message"
    id: str
    role: Literal["assistant"] = "assistant"
    status: Literal["in_progress", "completed", "incomplete"] = "completed"
    content: list[Annotated[OutputText | OutputRefusal, Field(discriminator="type")]] = Field(default_factory=list)


class FunctionCall(_Item):
    """A call of a client's function: the client runs it and answers with a ``function_call_output``."""

    type: Literal["function_call"] = "function_call"
    id: str | None = None
    call_id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    arguments: str
    status: Literal["in_progress", "completed", "incomplete"] | None = "completed"


class FunctionCallOutput(_Item):
    type: Literal["function_call_output"] = "function_call_output"
    id: str | None = None
    call_id: str = Field(min_length=1)
    output: str | list[ContentPart]
    status: Literal["in_progress", "completed", "incomplete"] | None = None


class FileSearchResult(_Item):
    file_id: str | None = None
    filename: str | None = None
    score: float | None = None
    text: str | None = None
    attributes: dict[str, str | int | float | bool] | None = None


class FileSearchCall(_Item):
    type: Literal["file_search_call"] = "file_search_call"
    id: str
    queries: list[str]
    status: Literal["in_progress", "searching", "completed", "incomplete", "failed"] = "completed"
    results: list[FileSearchResult] | None = None


class McpListedTool(_Item):
    name: str
    description: str | None = None
    input_schema: dict[str, Any]
    annotations: dict[str, Any] | None = None


class McpListTools(_Item):
    type: Literal["mcp_list_tools"] = "mcp_list_tools"
    id: str
    server_label: str
    tools: list[McpListedTool]
    error: str | None = None


class McpCall(_Item):
    """A call of an MCP server's tool; ``error`` is OpenAI's ``mcp_tool_execution_error`` or ``http_error``."""

    type: Literal["mcp_call"] = "mcp_call"
    id: str
    server_label: str
    name: str
    arguments: str
    output: str | None = None
    error: dict[str, Any] | None = None
    status: Literal["in_progress", "completed", "incomplete", "calling", "failed"] = "completed"


class WebSearchCall(_Item):
    type: Literal["web_search_call"] = "web_search_call"
    id: str
    status: Literal["in_progress", "searching", "completed", "failed", "incomplete"] = "completed"
    action: dict[str, Any] = Field(default_factory=dict)


class ItemReference(_Item):
    type: Literal["item_reference"]
    id: str


def _tagger(tags: dict[str, str], default: str | None = None) -> Any:
    """A discriminator: the union member's tag for a value's ``type`` (``default`` when it has none).

    Tags are capitalised so that a 400 names the field (``tools.0.name``), not the member.
    """

    def tag(value: Any) -> str | None:
        kind = value.get("type", default) if isinstance(value, dict) else getattr(value, "type", default)
        return tags.get(str(kind))

    return tag


_ITEM_TAGS = {
    "message": "Message",
    "function_call": "FunctionCall",
    "function_call_output": "FunctionCallOutput",
    "file_search_call": "FileSearchCall",
    "mcp_list_tools": "McpListTools",
    "mcp_call": "McpCall",
    "web_search_call": "WebSearchCall",
    "item_reference": "ItemReference",
}
InputItem = Annotated[
    Annotated[InputMessage, Tag("Message")]
    | Annotated[FunctionCall, Tag("FunctionCall")]
    | Annotated[FunctionCallOutput, Tag("FunctionCallOutput")]
    | Annotated[FileSearchCall, Tag("FileSearchCall")]
    | Annotated[McpListTools, Tag("McpListTools")]
    | Annotated[McpCall, Tag("McpCall")]
    | Annotated[WebSearchCall, Tag("WebSearchCall")]
    | Annotated[ItemReference, Tag("ItemReference")],
    Discriminator(
        _tagger(_ITEM_TAGS, default="message"),
        custom_error_type="invalid_item",
        custom_error_message=f"an input item's type must be one of {', '.join(_ITEM_TAGS)}",
    ),
]
OutputItem = Annotated[
    OutputMessage | FunctionCall | FileSearchCall | McpListTools | McpCall | WebSearchCall,
    Field(discriminator="type"),
]


# -- tools ----------------------------------------------------------------------------------


class FunctionTool(_Request):
    type: Literal["function"]
    name: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
    description: str | None = None
    parameters: dict[str, Any] | None = None
    strict: bool | None = None


class FileSearchTool(_Request):
    type: Literal["file_search"]
    vector_store_ids: list[str] = Field(min_length=1)
    max_num_results: int | None = Field(default=None, ge=1, le=50)
    filters: Filter | None = None
    ranking_options: dict[str, Any] | None = None


class McpTool(_Request):
    """An MCP server whose tools the model may call; plugstack runs them (``require_approval`` ``never``)."""

    type: Literal["mcp"]
    server_label: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
    server_url: str | None = None
    server_description: str | None = None
    headers: dict[str, str] | None = None
    authorization: str | None = None
    allowed_tools: list[str] | dict[str, Any] | None = None
    require_approval: Literal["always", "never"] | dict[str, Any] | None = None
    connector_id: str | None = None


WebSearchType = Literal["web_search", "web_search_preview", "web_search_2025_08_26", "web_search_preview_2025_03_11"]
WEB_SEARCH_TYPES: tuple[str, ...] = get_args(WebSearchType)


class WebSearchTool(_Request):
    model_config = ConfigDict(extra="allow")  # search_context_size, user_location, filters: advice only

    type: WebSearchType


_TOOL_TAGS = {
    "function": "Function",
    "file_search": "FileSearch",
    "mcp": "Mcp",
    **dict.fromkeys(WEB_SEARCH_TYPES, "WebSearch"),
}
ResponseTool = Annotated[
    Annotated[FunctionTool, Tag("Function")]
    | Annotated[FileSearchTool, Tag("FileSearch")]
    | Annotated[McpTool, Tag("Mcp")]
    | Annotated[WebSearchTool, Tag("WebSearch")],
    Discriminator(
        _tagger(_TOOL_TAGS),
        custom_error_type="invalid_tool",
        custom_error_message=f"a tool's type must be one of {', '.join(_TOOL_TAGS)} (other tools are not supported)",
    ),
]


# -- the request ------------------------------------------------------------------------------


class TextFormat(_Request):
    model_config = ConfigDict(extra="forbid", serialize_by_alias=True)  # "schema" shadows a BaseModel name

    type: Literal["text", "json_schema", "json_object"] = "text"
    name: str | None = None
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    description: str | None = None
    strict: bool | None = None


class TextConfig(_Request):
    format: TextFormat = Field(default_factory=TextFormat)
    verbosity: Literal["low", "medium", "high"] | None = None


class ConversationRef(_Request):
    id: str = Field(min_length=1)


class PromptRef(_Request):
    """A prompt of the Prompts API, rendered as the response's first instructions."""

    id: str = Field(min_length=1)
    version: str | int | None = None
    variables: dict[str, Any] | None = None


class CreateResponseRequest(_Request):
    """``POST /v1/responses``."""

    model: str = Field(min_length=1)
    input: list[InputItem] = Field(min_length=1)
    instructions: str | None = None
    prompt: PromptRef | None = None
    previous_response_id: str | None = Field(default=None, min_length=1)
    conversation: str | ConversationRef | None = None
    store: bool = True
    stream: bool = False
    max_output_tokens: int | None = Field(default=None, ge=1)
    max_tool_calls: int | None = Field(default=None, ge=0)
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    text: TextConfig | None = None
    tools: list[ResponseTool] = Field(default_factory=list)
    tool_choice: Literal["auto", "none", "required"] | dict[str, Any] = "auto"
    parallel_tool_calls: bool = True
    include: list[str] = Field(default_factory=list)
    metadata: Metadata | None = None
    background: bool | None = None
    # accepted and passed on or ignored: they change nothing plugstack does
    user: str | None = None
    safety_identifier: str | None = None
    prompt_cache_key: str | None = None
    service_tier: str | None = None
    truncation: Literal["auto", "disabled"] | None = None
    reasoning: dict[str, Any] | None = None
    stream_options: dict[str, Any] | None = None
    top_logprobs: int | None = Field(default=None, ge=0, le=20)
    # plugstack extension: shields run on the input and on the answer
    guardrails: list[str] = Field(default_factory=list)

    @field_validator("input", mode="before")
    @classmethod
    def _text_is_a_user_message(cls, value: Any) -> Any:
        """A string input is one user message (OpenAI's shorthand), so errors name items, never "str"."""
        if isinstance(value, str):
            return [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": value}]}]
        return value

    @property
    def conversation_id(self) -> str | None:
        if isinstance(self.conversation, ConversationRef):
            return self.conversation.id
        return self.conversation


# -- the response -----------------------------------------------------------------------------


class ResponseUsage(BaseModel):
    input_tokens: int = 0
    input_tokens_details: dict[str, int] = Field(default_factory=lambda: {"cached_tokens": 0, "cache_write_tokens": 0})
    output_tokens: int = 0
    output_tokens_details: dict[str, int] = Field(default_factory=lambda: {"reasoning_tokens": 0})
    total_tokens: int = 0


class ResponseError(BaseModel):
    code: str
    message: str


class IncompleteDetails(BaseModel):
    reason: str


class ResponseObject(BaseModel):
    """A response, as ``POST /v1/responses`` answers and ``GET /v1/responses/{id}`` retrieves it."""

    id: str
    object: Literal["response"] = "response"
    created_at: int = Field(default_factory=lambda: int(time.time()))
    completed_at: int | None = None
    status: Literal["completed", "failed", "in_progress", "cancelled", "queued", "incomplete"] = "in_progress"
    error: ResponseError | None = None
    incomplete_details: IncompleteDetails | None = None
    instructions: str | None = None
    prompt: PromptRef | None = None
    max_output_tokens: int | None = None
    max_tool_calls: int | None = None
    model: str
    output: list[OutputItem] = Field(default_factory=list)
    parallel_tool_calls: bool = True
    previous_response_id: str | None = None
    conversation: ConversationRef | None = None
    temperature: float | None = None
    text: TextConfig = Field(default_factory=TextConfig)
    tool_choice: str | dict[str, Any] = "auto"
    tools: list[ResponseTool] = Field(default_factory=list)
    top_p: float | None = None
    truncation: Literal["auto", "disabled"] = "disabled"
    usage: ResponseUsage | None = None
    user: str | None = None
    metadata: dict[str, str] = Field(default_factory=dict)
    store: bool = True
    background: bool = False


class ResponseDeleted(BaseModel):
    id: str
    object: Literal["response"] = "response"
    deleted: bool = True


class InputItemList(BaseModel):
    """``GET /v1/responses/{id}/input_items``: a cursor page of the items the response was given."""

    object: Literal["list"] = "list"
    data: list[dict[str, Any]]
    first_id: str | None = None
    last_id: str | None = None
    has_more: bool = False


class ResponseStreamEvent(BaseModel):
    """One event of a streamed response, as library mode yields it: ``type``, ``sequence_number``, its fields.

    ``response`` (lifecycle events) and ``item`` (output item events) are typed; the other
    fields (``delta``, ``output_index``, ``part``...) are kept as sent.
    """

    model_config = ConfigDict(extra="allow")

    type: str
    sequence_number: int
    response: ResponseObject | None = None
    item: OutputItem | None = None
