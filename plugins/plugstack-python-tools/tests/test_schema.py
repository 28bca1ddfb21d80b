"""Schema generation: a function's signature and docstring become its ToolDef."""

from __future__ import annotations

import functools
from enum import Enum
from types import ModuleType
from typing import Annotated, Any, Literal

import jsonschema
import pytest
from plugstack_python_tools import tool
from plugstack_python_tools.functions import ToolDefinitionError, function_source
from plugstack_python_tools.schema import CompiledTool, compile_tool, parse_docstring
from pydantic import BaseModel, Field


def compiled(func: Any) -> CompiledTool:
    tool_ = compile_tool(function_source(func))
    jsonschema.Draft202012Validator.check_schema(tool_.definition.parameters)  # the router checks calls with it
    return tool_


class Color(Enum):
    RED = "red"
    BLUE = "blue"


class NotPydantic:
    """A plain class: pydantic has no schema for it."""


class Box(BaseModel):
    width: float
    label: str = "box"


def everything(
    count: int,
    ratio: float,
    name: str,
    flag: bool,
    tags: list[str],
    mode: Literal["fast", "slow"] = "fast",
    color: Color = Color.RED,
    box: Box | None = None,
    limit: int | None = None,
) -> None:
    """Take one of each kind.

    Args:
        count: How many.
        tags: Labels to
            attach, several lines long.
    """


def test_each_type_hint_has_its_json_schema() -> None:
    schema = compiled(everything).definition.parameters
    props = schema["properties"]
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False  # unknown arguments are refused by the router
    assert props["count"]["type"] == "integer"
    assert props["ratio"]["type"] == "number"
    assert props["name"]["type"] == "string"
    assert props["flag"]["type"] == "boolean"
    assert props["tags"] == {
        "type": "array",
        "items": {"type": "string"},
        "description": "Labels to attach, several lines long.",
    }
    assert props["mode"] == {"type": "string", "enum": ["fast", "slow"], "default": "fast"}
    assert props["color"]["default"] == "red"
    assert schema["$defs"]["Color"]["enum"] == ["red", "blue"]
    assert {"$ref": "#/$defs/Box"} in props["box"]["anyOf"] and {"type": "null"} in props["box"]["anyOf"]
    assert schema["$defs"]["Box"]["required"] == ["width"]
    assert props["limit"]["default"] is None


def test_required_are_the_parameters_without_defaults() -> None:
    assert compiled(everything).definition.parameters["required"] == ["count", "ratio", "name", "flag", "tags"]


def test_no_titles_on_properties() -> None:
    schema = compiled(everything).definition.parameters
    assert "title" not in schema
    assert all("title" not in prop for prop in schema["properties"].values())


def test_name_and_description_come_from_the_function() -> None:
    definition = compiled(everything).definition
    assert definition.name == "everything"
    assert definition.description == "Take one of each kind."
    assert definition.parameters["properties"]["count"]["description"] == "How many."
    assert "description" not in definition.parameters["properties"]["ratio"]  # not documented


def test_tool_renames_and_redescribes() -> None:
    definition = compiled(tool(everything, name="all_kinds", description="Other words.")).definition
    assert (definition.name, definition.description) == ("all_kinds", "Other words.")

    @tool(name="decorated")
    def inner(x: int) -> int:
        """Inner docstring."""
        return x

    assert compiled(inner).definition.description == "Inner docstring."
    assert inner(3) == 3  # still callable


def test_annotated_field_constraints_reach_the_schema() -> None:
    def pick(n: Annotated[int, Field(ge=1, le=5, description="one to five")]) -> int:
        return n

    prop = compiled(pick).definition.parameters["properties"]["n"]
    assert prop == {"type": "integer", "minimum": 1, "maximum": 5, "description": "one to five"}


def test_unannotated_parameters_accept_anything() -> None:
    def loose(x, y=1):  # type: ignore[no-untyped-def]
        return x

    schema = compiled(loose).definition.parameters
    assert schema["required"] == ["x"]
    assert schema["properties"]["y"] == {"default": 1}


def test_parameters_named_like_basemodel_attributes_are_kept() -> None:
    def query(schema: str, json: bool = False, copy: int = 0) -> str:
        return schema

    tool_ = compiled(query)
    assert set(tool_.definition.parameters["properties"]) == {"schema", "json", "copy"}
    assert tool_.bind({"schema": "s", "json": True}) == ([], {"schema": "s", "json": True})


def test_only_given_arguments_are_passed_but_positional_only_ones_in_order() -> None:
    def f(a: int, b: int = 2, /, c: int = 3, *, d: int = 4) -> None: ...

    tool_ = compiled(f)
    assert tool_.bind({"a": 1, "d": 5}) == ([1, 2], {"d": 5})
    assert tool_.bind({"a": "1"}) == ([1, 2], {})  # coerced by pydantic


def test_partial_and_callable_objects() -> None:
    def power(base: float, exponent: int) -> float:
        """Raise base to exponent."""
        return base**exponent

    square = compiled(tool(functools.partial(power, exponent=2), name="square"))
    assert square.definition.description == "Raise base to exponent."
    assert square.definition.parameters["required"] == ["base"]

    class Greeter:
        """Greet someone."""

        async def __call__(self, who: str) -> str:
            return f"hi {who}"

    greeter = compiled(tool(Greeter(), name="greet"))
    assert greeter.is_async
    assert greeter.definition.parameters["required"] == ["who"]


def test_a_lambda_needs_a_name() -> None:
    with pytest.raises(ToolDefinitionError, match="tool name '<lambda>' must be"):
        compile_tool(function_source(lambda x: x))
    assert compiled(tool(lambda x: x, name="identity")).definition.name == "identity"


def test_generators_and_untyped_values_are_refused() -> None:
    def gen() -> Any:
        yield 1

    with pytest.raises(ToolDefinitionError, match="generator"):
        compile_tool(function_source(gen))

    def takes(thing: NotPydantic) -> None: ...

    with pytest.raises(ToolDefinitionError, match="its parameters have no JSON schema"):
        compile_tool(function_source(takes))

    class Local:
        pass

    def unresolvable(thing: Local) -> None: ...  # a string under `from __future__ import annotations`

    with pytest.raises(ToolDefinitionError, match="cannot resolve its type hints: NameError"):
        compile_tool(function_source(unresolvable))


def test_var_keyword_is_left_out_and_var_positional_refused() -> None:
    def f(a: int, **options: int) -> None: ...

    schema = compiled(f).definition.parameters
    assert list(schema["properties"]) == ["a"]
    assert schema["additionalProperties"] is False

    def g(*numbers: float) -> float:
        return sum(numbers)

    with pytest.raises(ToolDefinitionError, match=r"\*numbers has no JSON schema; take a list instead"):
        compile_tool(function_source(g))


def test_import_paths_resolve_with_their_tool_overrides(samples: ModuleType) -> None:
    assert compiled("python_tools_samples:add").definition.description == "Add two integers."
    renamed = compiled("python_tools_samples:add_renamed").definition
    assert (renamed.name, renamed.description) == ("plus", "Add two integers (served under another name).")
    assert renamed.metadata["function"] == "python_tools_samples:add_renamed"


def test_docstring_sections() -> None:
    summary, args = parse_docstring(
        """Fetch a page:
        the first paragraph ends here.

        More detail that is not the description.

        Arguments:
            url (str): Where to go.
            *headers: Extra
                headers.
            timeout: Seconds.

        Returns:
            text: not an argument.
        """
    )
    assert summary == "Fetch a page: the first paragraph ends here."
    assert args == {"url": "Where to go.", "headers": "Extra headers.", "timeout": "Seconds."}
    assert parse_docstring("Args:\n    x: only args.") == ("", {"x": "only args."})
    assert parse_docstring(None) == ("", {})
