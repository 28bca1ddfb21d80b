"""Conversation items: OpenAI's Responses items (messages, tool calls and their outputs...).

One model per item ``type``. Each checks the fields its type requires (a message needs
``role`` and ``content``, a ``function_call_output`` needs ``call_id`` and ``output``) and
keeps every other field as given (``extra="allow"``): OpenAI adds fields often, and a
conversation must hand back what it was given. A missing ``id`` is assigned with the
type's prefix (``msg_``, ``fc_``...) and a missing ``status`` is ``"completed"`` on the
types whose OpenAI shape always carries one. A message's string ``content`` becomes one
``input_text`` part (``output_text`` for the assistant), as OpenAI stores it.

:func:`parse_items` turns request input into items, raising a 400 that names the field
(``items[2].role``).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from plugstack.errors import BadRequestError

__all__ = [
    "ITEM_ADAPTER",
    "ApplyPatchCallItem",
    "ApplyPatchCallOutputItem",
    "CodeInterpreterCallItem",
    "CompactionItem",
    "ComputerCallItem",
    "ComputerCallOutputItem",
    "ContentPart",
    "ConversationItem",
    "CustomToolCallItem",
    "CustomToolCallOutputItem",
    "FileSearchCallItem",
    "FunctionCallItem",
    "FunctionCallOutputItem",
    "ImageGenerationCallItem",
    "InputFile",
    "InputImage",
    "InputText",
    "LocalShellCallItem",
    "LocalShellCallOutputItem",
    "McpApprovalRequestItem",
    "McpApprovalResponseItem",
    "McpCallItem",
    "McpListToolsItem",
    "MessageItem",
    "OutputText",
    "ReasoningItem",
    "Refusal",
    "ShellCallItem",
    "ShellCallOutputItem",
    "WebSearchCallItem",
    "new_id",
    "parse_items",
]

CallStatus = Literal["in_progress", "completed", "incomplete"]
_MAX_ID_CHARS = 128


def new_id(prefix: str) -> str:
    """An id in OpenAI's style: the type's prefix, then 48 random hex digits."""
    return f"{prefix}_{secrets.token_hex(24)}"


def _id(prefix: str) -> Any:
    # no NUL: PostgreSQL text cannot hold one
    return Field(default_factory=lambda: new_id(prefix), min_length=1, max_length=_MAX_ID_CHARS, pattern=r"^[^\x00]+$")


# -- message content -------------------------------------------------------------------------


class _Part(BaseModel):
    model_config = ConfigDict(extra="allow")


class InputText(_Part):
    type: Literal["input_text"]
    text: str


class OutputText(_Part):
    type: Literal["output_text"]
    text: str
    annotations: list[Any] = Field(default_factory=list)


class Refusal(_Part):
    type: Literal["refusal"]
    refusal: str


class InputImage(_Part):
    type: Literal["input_image"]
    detail: Literal["low", "high", "auto", "original"] = "auto"
    image_url: str | None = None
    file_id: str | None = None

    @model_validator(mode="after")
    def _names_an_image(self) -> InputImage:
        if self.image_url is None and self.file_id is None:
            raise ValueError("an input_image needs image_url or file_id")
        return self


class InputFile(_Part):
    type: Literal["input_file"]
    file_id: str | None = None
    file_data: str | None = None
    file_url: str | None = None

    @model_validator(mode="after")
    def _names_a_file(self) -> InputFile:
        if self.file_id is None and self.file_data is None and self.file_url is None:
            raise ValueError("an input_file needs file_id, file_data or file_url")
        return self


ContentPart = Annotated[InputText | OutputText | Refusal | InputImage | InputFile, Field(discriminator="type")]
_PART_TYPES = frozenset({"input_text", "output_text", "refusal", "input_image", "input_file"})
_ASSISTANT_PARTS = ("output_text", "refusal")
_INPUT_PARTS = ("input_text", "input_image", "input_file")


# -- items -------------------------------------------------------------------------------------


class _Item(BaseModel):
    model_config = ConfigDict(extra="allow")

    @model_validator(mode="before")
    @classmethod
    def _null_id_is_no_id(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and "id" in data and data["id"] is None:
            return {key: value for key, value in data.items() if key != "id"}
        return data


class MessageItem(_Item):
    type: Literal["message"] = "message"
    id: str = _id("msg")
    role: Literal["user", "assistant", "system", "developer"]
    content: list[ContentPart]
    status: CallStatus = "completed"

    @model_validator(mode="before")
    @classmethod
    def _string_content_is_one_text_part(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and isinstance(data.get("content"), str):
            kind = "output_text" if data.get("role") == "assistant" else "input_text"
            return {**data, "content": [{"type": kind, "text": data["content"]}]}
        return data


class FunctionCallItem(_Item):
    type: Literal["function_call"]
    id: str = _id("fc")
    call_id: str
    name: str
    arguments: str
    status: CallStatus = "completed"


class FunctionCallOutputItem(_Item):
    type: Literal["function_call_output"]
    id: str = _id("fco")
    call_id: str
    output: str | list[dict[str, Any]]
    status: CallStatus = "completed"


class FileSearchCallItem(_Item):
    type: Literal["file_search_call"]
    id: str = _id("fs")
    queries: list[str]
    status: Literal["in_progress", "searching", "completed", "incomplete", "failed"] = "completed"


class WebSearchCallItem(_Item):
    type: Literal["web_search_call"]
    id: str = _id("ws")
    action: dict[str, Any]
    status: Literal["in_progress", "searching", "completed", "incomplete", "failed"] = "completed"


class ImageGenerationCallItem(_Item):
    type: Literal["image_generation_call"]
    id: str = _id("ig")
    status: Literal["in_progress", "completed", "generating", "failed"] = "completed"


class ComputerCallItem(_Item):
    type: Literal["computer_call"]
    id: str = _id("cu")
    call_id: str
    pending_safety_checks: list[dict[str, Any]] = Field(default_factory=list)
    status: CallStatus = "completed"


class ComputerCallOutputItem(_Item):
    type: Literal["computer_call_output"]
    id: str = _id("cuo")
    call_id: str
    output: dict[str, Any]
    status: Literal["in_progress", "completed", "incomplete", "failed"] = "completed"


class ReasoningItem(_Item):
    type: Literal["reasoning"]
    id: str = _id("rs")
    summary: list[dict[str, Any]]


class CodeInterpreterCallItem(_Item):
    type: Literal["code_interpreter_call"]
    id: str = _id("ci")
    container_id: str
    status: Literal["in_progress", "completed", "incomplete", "interpreting", "failed"] = "completed"


class LocalShellCallItem(_Item):
    type: Literal["local_shell_call"]
    id: str = _id("lsh")
    call_id: str
    action: dict[str, Any]
    status: CallStatus = "completed"


class LocalShellCallOutputItem(_Item):
    type: Literal["local_shell_call_output"]
    id: str = _id("lsho")
    output: str


class ShellCallItem(_Item):
    type: Literal["shell_call"]
    id: str = _id("sh")
    call_id: str
    action: dict[str, Any]
    status: CallStatus = "completed"


class ShellCallOutputItem(_Item):
    type: Literal["shell_call_output"]
    id: str = _id("sho")
    call_id: str
    output: list[dict[str, Any]]
    status: CallStatus = "completed"


class ApplyPatchCallItem(_Item):
    type: Literal["apply_patch_call"]
    id: str = _id("apc")
    call_id: str
    operation: dict[str, Any]
    status: Literal["in_progress", "completed"] = "completed"


class ApplyPatchCallOutputItem(_Item):
    type: Literal["apply_patch_call_output"]
    id: str = _id("apco")
    call_id: str
    status: Literal["completed", "failed"] = "completed"


class McpListToolsItem(_Item):
    type: Literal["mcp_list_tools"]
    id: str = _id("mcpl")
    server_label: str
    tools: list[dict[str, Any]]


class McpApprovalRequestItem(_Item):
    type: Literal["mcp_approval_request"]
    id: str = _id("mcpr")
    server_label: str
    name: str
    arguments: str


class McpApprovalResponseItem(_Item):
    type: Literal["mcp_approval_response"]
    id: str = _id("mcpa")
    approval_request_id: str
    approve: bool


class McpCallItem(_Item):
    type: Literal["mcp_call"]
    id: str = _id("mcp")
    server_label: str
    name: str
    arguments: str
    status: Literal["in_progress", "completed", "incomplete", "calling", "failed"] = "completed"


class CustomToolCallItem(_Item):
    type: Literal["custom_tool_call"]
    id: str = _id("ctc")
    call_id: str
    name: str
    input: str


class CustomToolCallOutputItem(_Item):
    type: Literal["custom_tool_call_output"]
    id: str = _id("ctco")
    call_id: str
    output: str | list[dict[str, Any]]


class CompactionItem(_Item):
    type: Literal["compaction"]
    id: str = _id("cmp")
    encrypted_content: str


_ITEM_CLASSES: tuple[type[_Item], ...] = (
    MessageItem,
    FunctionCallItem,
    FunctionCallOutputItem,
    FileSearchCallItem,
    WebSearchCallItem,
    ImageGenerationCallItem,
    ComputerCallItem,
    ComputerCallOutputItem,
    ReasoningItem,
    CodeInterpreterCallItem,
    LocalShellCallItem,
    LocalShellCallOutputItem,
    ShellCallItem,
    ShellCallOutputItem,
    ApplyPatchCallItem,
    ApplyPatchCallOutputItem,
    McpListToolsItem,
    McpApprovalRequestItem,
    McpApprovalResponseItem,
    McpCallItem,
    CustomToolCallItem,
    CustomToolCallOutputItem,
    CompactionItem,
)
_BY_TYPE: dict[str, type[_Item]] = {get_args(cls.model_fields["type"].annotation)[0]: cls for cls in _ITEM_CLASSES}

ConversationItem = Annotated[
    MessageItem
    | FunctionCallItem
    | FunctionCallOutputItem
    | FileSearchCallItem
    | WebSearchCallItem
    | ImageGenerationCallItem
    | ComputerCallItem
    | ComputerCallOutputItem
    | ReasoningItem
    | CodeInterpreterCallItem
    | LocalShellCallItem
    | LocalShellCallOutputItem
    | ShellCallItem
    | ShellCallOutputItem
    | ApplyPatchCallItem
    | ApplyPatchCallOutputItem
    | McpListToolsItem
    | McpApprovalRequestItem
    | McpApprovalResponseItem
    | McpCallItem
    | CustomToolCallItem
    | CustomToolCallOutputItem
    | CompactionItem,
    Field(discriminator="type"),
]
"""One stored item: a pydantic model whose ``model_dump()`` is OpenAI's JSON shape."""

ITEM_ADAPTER: TypeAdapter[ConversationItem] = TypeAdapter(ConversationItem)


# -- parsing request input -----------------------------------------------------------------------


def parse_items(raw_items: Sequence[Any], field: str = "items") -> list[ConversationItem]:
    """Each raw item (a mapping, or a pydantic model of one) as its item model; a 400 naming the field.

    Ids given twice in one request are refused too, since an item id names one item of
    its conversation.
    """
    items = [_parse_item(raw, f"{field}[{index}]") for index, raw in enumerate(raw_items)]
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item.id in seen:
            raise BadRequestError(
                f"{field}[{index}].id: the id {item.id!r} is given to two items", param=f"{field}[{index}].id"
            )
        seen.add(item.id)
    return items


def _parse_item(raw: Any, where: str) -> ConversationItem:
    if isinstance(raw, _Item):
        raw = raw.model_dump()  # with the id it was given at construction
    elif isinstance(raw, BaseModel):
        raw = raw.model_dump(exclude_unset=True)  # the openai SDK's models: what was set, no None-filled extras
    if not isinstance(raw, Mapping):
        raise BadRequestError(f"{where}: an item must be an object, got {type(raw).__name__}", param=where)
    kind = raw.get("type", "message")  # OpenAI's "easy" input message leaves the type out
    cls = _BY_TYPE.get(kind) if isinstance(kind, str) else None
    if cls is None:
        supported = ", ".join(sorted(_BY_TYPE))
        raise BadRequestError(
            f"{where}.type: unsupported item type {kind!r} (supported: {supported})", param=f"{where}.type"
        )
    try:
        item = cls.model_validate(raw)
    except ValidationError as exc:
        raise _bad_item(exc, where) from None
    if isinstance(item, MessageItem):
        _check_parts_suit_role(item, where)
    return item  # type: ignore[return-value]


def _check_parts_suit_role(message: MessageItem, where: str) -> None:
    """The assistant speaks in ``output_text`` and ``refusal`` parts, everyone else in input parts."""
    allowed = _ASSISTANT_PARTS if message.role == "assistant" else _INPUT_PARTS
    for index, part in enumerate(message.content):
        if part.type not in allowed:
            field = f"{where}.content[{index}].type"
            raise BadRequestError(
                f"{field}: a {message.role} message's content parts are {' or '.join(allowed)}, not {part.type!r}",
                param=field,
            )


def _bad_item(exc: ValidationError, where: str) -> BadRequestError:
    """A 400 naming each invalid field in path notation (``items[2].content[0].text``)."""
    problems: dict[str, list[str]] = {}
    for error in exc.errors(include_url=False):
        field = where + _path(error["loc"])
        if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
            field += ".type"  # a content part of no known type
        messages = problems.setdefault(field, [])
        if error["msg"] not in messages:
            messages.append(error["msg"])
    text = "; ".join(f"{field}: {' or '.join(messages)}" for field, messages in problems.items())
    return BadRequestError("invalid item: " + text, param=next(iter(problems)))


_UNION_MEMBERS = frozenset({"str", "int", "float", "bool", "list", "dict", "none"})


def _path(loc: tuple[int | str, ...]) -> str:
    """``loc`` as ``.content[0].text``, leaving out the union members pydantic puts in it.

    Those are type names (``str``, ``list[dict[str,any]]``) and, right after a list index,
    the discriminator tag of a content part (``input_text``).
    """
    path = ""
    previous: int | str | None = None
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif not (
            part in _UNION_MEMBERS or not part.isidentifier() or (isinstance(previous, int) and part in _PART_TYPES)
        ):
            path += f".{part}"
        previous = part
    return path
