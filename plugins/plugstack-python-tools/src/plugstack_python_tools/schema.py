"""A function's ToolDef: the JSON schema of its parameters, built by pydantic from the signature.

Each parameter becomes a field of a pydantic model made with ``create_model`` (its type
hint, its default, its description from the docstring's ``Args:`` section), so the
schema a client sees and the validation a call gets come from one source: what the
schema allows, pydantic accepts and coerces (``"2024-05-01"`` to a ``date``, a mapping
to a model, a value to an ``Enum`` member), and no argument the function lacks gets in.
"""

from __future__ import annotations

import functools
import inspect
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.errors import PydanticSchemaGenerationError, PydanticUserError
from pydantic.json_schema import GenerateJsonSchema

from plugstack.apis.tool_runtime.types import ToolDef
from plugstack_python_tools.functions import FunctionSource, PythonTool, ToolDefinitionError, check_tool_name

__all__ = ["CompiledTool", "compile_tool", "parse_docstring"]

_ARG_SECTIONS = {"args", "arguments", "parameters", "params", "keyword args", "keyword arguments"}
_SECTIONS = _ARG_SECTIONS | {
    "returns",
    "return",
    "yields",
    "raises",
    "example",
    "examples",
    "note",
    "notes",
    "attributes",
    "see also",
    "todo",
    "warning",
    "warnings",
}
_ARG_LINE = re.compile(r"^(?P<name>\*{0,2}[A-Za-z_]\w*)\s*(\([^)]*\))?\s*:\s*(?P<text>.*)$")


@dataclass(frozen=True)
class CompiledTool:
    """A function ready to serve: its ToolDef and the pydantic model its arguments are validated with."""

    definition: ToolDef
    func: Callable[..., Any]
    arguments: type[BaseModel]
    is_async: bool
    label: str
    # model field -> parameter name, and which of them are positional-only (passed by position)
    parameters: dict[str, str] = field(default_factory=dict)
    positional: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.definition.name

    def bind(self, arguments: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
        """The call's positional and keyword arguments, validated and coerced; raises ``ValidationError``.

        Only the arguments given are passed (the function's own defaults apply to the
        rest), except positional-only ones, which are passed in order.
        """
        validated = self.arguments.model_validate(arguments)
        values = {
            param: getattr(validated, name)
            for name, param in self.parameters.items()
            if name in validated.model_fields_set or param in self.positional
        }
        args = [values.pop(param) for param in self.positional]
        return args, values


class _ToolSchema(GenerateJsonSchema):
    """Schemas without a title on every property: noise in a model's context, and not part of the contract."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def compile_tool(source: FunctionSource) -> CompiledTool:
    """The ToolDef and argument model of one function; a :class:`ToolDefinitionError` if it cannot be a tool."""
    func, label = source.func, source.label
    if inspect.isgeneratorfunction(func) or inspect.isasyncgenfunction(func):
        raise ToolDefinitionError(f"{label}: a generator cannot be a tool; return the whole result instead")
    name = check_tool_name(source.name or _name_of(func), where=label)
    summary, arg_docs = parse_docstring(inspect.getdoc(_unwrap(func)))
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError) as exc:
        raise ToolDefinitionError(f"{label}: no signature to build a schema from: {exc}") from None
    try:
        hints = typing.get_type_hints(_hint_target(func), include_extras=True)
    except Exception as exc:  # a forward reference that does not resolve, mostly
        raise ToolDefinitionError(f"{label}: cannot resolve its type hints: {type(exc).__name__}: {exc}") from None

    fields: dict[str, Any] = {}
    parameters: dict[str, str] = {}
    positional: list[str] = []
    for index, param in enumerate(signature.parameters.values()):
        if param.kind is param.VAR_POSITIONAL:
            raise ToolDefinitionError(f"{label}: *{param.name} has no JSON schema; take a list instead")
        if param.kind is param.VAR_KEYWORD:  # not offered: the schema lists the named parameters only
            continue
        options: dict[str, Any] = {"alias": param.name}
        if param.name in arg_docs:
            options["description"] = arg_docs[param.name]
        default = ... if param.default is param.empty else param.default
        # fields are named p0, p1...: a parameter named like a BaseModel attribute (schema, json) is fine
        fields[f"p{index}"] = (hints.get(param.name, Any), Field(default, **options))
        parameters[f"p{index}"] = param.name
        if param.kind is param.POSITIONAL_ONLY:
            positional.append(param.name)
    try:
        model = create_model(f"{name}_arguments", __config__=ConfigDict(extra="forbid"), **fields)
        schema = model.model_json_schema(schema_generator=_ToolSchema)
    except (PydanticSchemaGenerationError, PydanticUserError, TypeError) as exc:
        raise ToolDefinitionError(f"{label}: its parameters have no JSON schema: {exc}") from None
    schema.pop("title", None)
    schema.setdefault("properties", {})
    definition = ToolDef(
        name=name,
        description=source.description if source.description is not None else summary,
        parameters=schema,
        metadata={"function": label},
    )
    return CompiledTool(
        definition=definition,
        func=func,
        arguments=model,
        is_async=_is_async(func),
        label=label,
        parameters=parameters,
        positional=tuple(positional),
    )


def parse_docstring(doc: str | None) -> tuple[str, dict[str, str]]:
    """The first paragraph (joined into one line) and the ``Args:`` entries of a Google-style docstring."""
    if not doc:
        return "", {}
    lines = inspect.cleandoc(doc).splitlines()
    summary: list[str] = []
    for line in lines:
        if not line.strip() or _section(line) is not None:
            break
        summary.append(line.strip())
    return " ".join(summary), _arg_docs(lines)


def _arg_docs(lines: list[str]) -> dict[str, str]:
    docs: dict[str, str] = {}
    start = next((i for i, line in enumerate(lines) if _section(line) in _ARG_SECTIONS), None)
    if start is None:
        return docs
    current: str | None = None
    entry_indent: int | None = None
    for line in lines[start + 1 :]:
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        if entry_indent is None:
            # 0 only when "Args:" opens the docstring: cleandoc() then strips the entries' indent
            entry_indent = indent
        if _section(line) is not None or indent < entry_indent:  # the next section, or text after the list
            break
        match = _ARG_LINE.match(line.strip())
        if indent == entry_indent:
            current = match.group("name").lstrip("*") if match else None
            if current is not None and match is not None:
                docs[current] = match.group("text").strip()
        elif current is not None:  # a continuation line of the current entry
            docs[current] = f"{docs[current]} {line.strip()}".strip()
    return docs


def _section(line: str) -> str | None:
    """The section a header line (``Args:``, unindented) opens, in lower case; None for any other line."""
    if line[:1].isspace() or not line.rstrip().endswith(":"):
        return None
    name = line.strip()[:-1].strip().lower()
    return name if name in _SECTIONS else None


def _name_of(func: Callable[..., Any]) -> str:
    target = _unwrap(func)
    name = getattr(target, "__name__", None)
    return name if isinstance(name, str) else type(target).__name__


def _unwrap(func: Callable[..., Any]) -> Any:
    while isinstance(func, functools.partial | PythonTool):
        func = func.func
    return func


def _hint_target(func: Callable[..., Any]) -> Any:
    target = _unwrap(func)
    if inspect.isroutine(target) or inspect.isclass(target):
        return target
    return type(target).__call__  # a callable object: the hints of its __call__


def _is_async(func: Callable[..., Any]) -> bool:
    # a callable object with an ``async def __call__`` too
    call: Any = func
    return inspect.iscoroutinefunction(func) or inspect.iscoroutinefunction(call.__call__)
