"""``inline::python-functions`` in library mode: calls, results, errors, coercion, registration."""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator
from types import ModuleType
from typing import Any

import plugstack_python_tools
import pytest
import pytest_asyncio
from plugstack_python_tools import (
    add_functions,
    python_tool_group,
    python_tools,
    python_tools_provider,
    remove_functions,
    tool,
)
from plugstack_python_tools.config import PythonToolsConfig

from plugstack.errors import BadRequestError, ConfigError, ConflictError, NotFoundError
from plugstack.plugins import PluginHost, new_plugin_host
from plugstack.stack import Stack

SAMPLES = [
    "add",
    "divide",
    "lookup_word",
    "where_sync",
    "where_async",
    "distance",
    "describe",
    "publish",
    "midpoint",
    "nothing",
    "opaque",
    "leak",
    "add_renamed",
]


def host() -> PluginHost:
    plugin_host = new_plugin_host()
    assert plugin_host.register(plugstack_python_tools, name="python_tools")
    return plugin_host


def run_config(provider: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"distribution_name": "python-tools-tests", "providers": {"tool_runtime": [provider]}, **extra}


def samples_provider(**config: Any) -> dict[str, Any]:
    entry = python_tools_provider([f"python_tools_samples:{name}" for name in SAMPLES], toolgroup_id="samples")
    entry["config"].update(config)
    return entry


@pytest_asyncio.fixture
async def stack(samples: ModuleType) -> AsyncIterator[Stack]:
    async with await Stack.from_config(run_config(samples_provider()), host=host()) as started:
        yield started


async def call(stack: Stack, name: str, **kwargs: Any) -> Any:
    return await stack.tool_runtime.invoke_tool(tool_name=name, kwargs=kwargs)


# -- sync and async ------------------------------------------------------------------


async def test_sync_tools_run_in_a_worker_thread_and_async_ones_on_the_loop(stack: Stack) -> None:
    loop_thread = threading.current_thread().name
    sync = await call(stack, "where_sync")
    async_ = await call(stack, "where_async")
    assert sync.metadata["result"]["thread"] != loop_thread
    assert async_.metadata["result"]["thread"] == loop_thread


async def test_async_tool_answers(stack: Stack) -> None:
    result = await call(stack, "lookup_word", index=2)
    assert (result.content, result.error_message) == ("gamma", None)


# -- results -------------------------------------------------------------------------


async def test_return_values_become_text_and_metadata(stack: Stack) -> None:
    number = await call(stack, "add", a=2, b=3)
    assert (number.content, number.metadata["result"]) == ("5", 5)

    text = await call(stack, "lookup_word", index=0)
    assert text.content == "alpha" and "result" not in text.metadata

    model = await call(stack, "midpoint", a={"x": 0, "y": 0}, b={"x": 2, "y": 4})
    assert json.loads(model.content) == {"x": 1.0, "y": 2.0} == model.metadata["result"]

    nothing = await call(stack, "nothing")
    assert (nothing.content, nothing.metadata["result"]) == ("null", None)

    opaque = await call(stack, "opaque")
    assert (opaque.content, opaque.metadata) == ("an opaque thing", {})


async def test_a_tool_renamed_with_tool_is_served_under_its_new_name(stack: Stack) -> None:
    assert (await call(stack, "plus", a=1, b=1)).content == "2"
    with pytest.raises(NotFoundError):
        await call(stack, "add_renamed", a=1, b=1)


# -- errors --------------------------------------------------------------------------


async def test_an_exception_is_an_error_message_with_its_type(stack: Stack) -> None:
    result = await call(stack, "divide", a=1, b=0)
    assert result.error_message == "ZeroDivisionError: float division by zero"
    assert result.content is None
    assert result.metadata == {"error_type": "ZeroDivisionError"}
    missing = await call(stack, "lookup_word", index=9)
    assert missing.error_message == "IndexError: list index out of range"


async def test_secrets_in_exception_messages_are_redacted(stack: Stack) -> None:
    result = await call(stack, "leak")
    assert result.error_message is not None and result.error_message.startswith("RuntimeError: upstream refused")
    assert "sk-live0123456789abcdef" not in result.error_message


# -- coercion and refusal ------------------------------------------------------------


async def test_arguments_are_coerced_by_pydantic(stack: Stack) -> None:
    result = await call(stack, "distance", a={"x": 0, "y": 0}, b={"x": 3000, "y": 4000}, unit="km")
    assert result.metadata["result"] == {"distance": 5.0, "unit": "km", "types": ["Point", "Unit"]}
    described = await call(stack, "describe", value=3, day="2024-05-01")
    assert described.metadata["result"] == {"value": "float", "day": "date", "mode": "short", "count": "NoneType"}


@pytest.mark.parametrize(
    ("name", "kwargs", "message"),
    [
        ("add", {"a": "three", "b": 1}, r"kwargs\['a'\]: 'three' is not of type 'integer'"),
        ("add", {"a": 1}, "'b' is a required property"),
        ("add", {"a": 1, "b": 2, "c": 3}, "Additional properties are not allowed"),
        ("distance", {"a": {"x": 0, "y": 0}, "b": {"x": 1}}, r"kwargs\['b'\]: 'y' is a required property"),
        ("distance", {"a": {"x": 0, "y": 0}, "b": {"x": 1, "y": 1}, "unit": "mi"}, "'mi' is not one of"),
        ("describe", {"value": 1, "day": "2024-05-01", "mode": "medium"}, "'medium' is not one of"),
    ],
)
async def test_arguments_the_schema_refuses_never_reach_the_function(
    stack: Stack, name: str, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(BadRequestError, match=message):
        await call(stack, name, **kwargs)


async def test_what_only_pydantic_can_check_is_a_400_too(stack: Stack) -> None:
    assert (await call(stack, "publish", slug={"text": "hello"})).content == "published hello"
    with pytest.raises(
        BadRequestError, match=r"arguments of tool 'publish': slug\.text: Value error, must be lower case"
    ):
        await call(stack, "publish", slug={"text": "Hello"})
    with pytest.raises(BadRequestError, match="day"):  # a string the schema allows, but not a date
        await call(stack, "describe", value=1, day="not a date")


# -- config --------------------------------------------------------------------------


async def test_tools_list_with_their_schemas(stack: Stack) -> None:
    tools = {t.name: t for t in (await stack.tool_runtime.list_tools("samples")).data}
    assert set(tools) == {*SAMPLES, "plus"} - {"add_renamed"}
    assert tools["add"].parameters["properties"]["a"] == {"type": "integer", "description": "The first addend."}
    assert tools["add"].metadata == {"function": "python_tools_samples:add"}
    assert [g.id for g in stack.tool_groups.list()] == ["samples"]


@pytest.mark.parametrize(
    ("function", "message"),
    [
        ("python_tools_samples.add", "is not an import path like 'package.module:function'"),
        ("no_such_module_here:add", "cannot import 'no_such_module_here': ModuleNotFoundError"),
        ("python_tools_samples:subtract", "'python_tools_samples' has no attribute 'subtract'"),
        ("python_tools_samples:NOT_CALLABLE", "int is not callable"),
    ],
)
async def test_a_bad_import_path_stops_the_stack_at_start_up(samples: ModuleType, function: str, message: str) -> None:
    config = run_config(python_tools_provider(["python_tools_samples:add", function], provider_id="tools"))
    with pytest.raises(ConfigError, match=message) as info:
        await Stack.from_config(config, host=host())
    assert info.value.message.startswith("provider 'tools' (inline::python-functions): config.functions[1]: ")


async def test_two_functions_of_one_name_are_a_config_error(samples: ModuleType) -> None:
    renamed = {"function": "python_tools_samples:divide", "name": "add"}
    with pytest.raises(ConfigError, match="tool name 'add' is taken by python_tools_samples:add"):
        await Stack.from_config(run_config(python_tools_provider(["python_tools_samples:add", renamed])), host=host())


async def test_callables_in_the_run_config_serve_in_library_mode() -> None:
    offset = 10

    def shifted(x: int) -> int:
        """Add the offset."""
        return x + offset

    provider = python_tools_provider([shifted, tool(lambda s: s.upper(), name="shout")], toolgroup_id="local")
    async with await Stack.from_config(run_config(provider), host=host()) as stack:
        assert (await call(stack, "shifted", x=1)).content == "11"
        assert (await call(stack, "shout", s="hi")).content == "HI"
        config = python_tools(stack).config
    dumped = config.model_dump(mode="json")["functions"]  # logs of a library-mode config still serialise
    assert dumped[0].endswith(":test_callables_in_the_run_config_serve_in_library_mode.<locals>.shifted>")


def test_importable_modules_must_be_module_names() -> None:
    with pytest.raises(ValueError, match="is not a module name"):
        PythonToolsConfig(importable_modules=["os:system"])


# -- groups registered at run time, by import path ------------------------------------


async def test_register_a_group_by_import_path_and_it_survives_a_restart(samples: ModuleType) -> None:
    config = run_config(python_tools_provider(importable_modules=["python_tools_samples"]))
    async with await Stack.from_config(config, host=host()) as stack:
        group = await stack.tool_runtime.register_tool_group(
            toolgroup_id="math", provider_id="python", args={"functions": ["python_tools_samples:add"]}
        )
        assert group.provider_id == "python"
        assert (await call(stack, "add", a=20, b=22)).content == "42"
    async with await Stack.from_config(config, host=host()) as stack:
        assert [g.id for g in stack.tool_groups.list()] == ["math"]  # persisted in the kvstore
        assert (await call(stack, "add", a=1, b=2)).content == "3"
        await stack.tool_runtime.unregister_tool_group("math")
        with pytest.raises(NotFoundError):
            await call(stack, "add", a=1, b=2)


async def test_python_tool_group_names_callables_by_import_path(samples: ModuleType) -> None:
    request = python_tool_group("math", [samples.add, samples.add_renamed, tool(samples.divide, name="div")])
    assert request == {
        "toolgroup_id": "math",
        "args": {
            "functions": [
                "python_tools_samples:add",
                "python_tools_samples:add_renamed",
                {"function": "python_tools_samples:divide", "name": "div"},
            ]
        },
    }
    config = run_config(python_tools_provider(importable_modules=["python_tools_samples"]))
    async with await Stack.from_config(config, host=host()) as stack:
        await stack.tool_runtime.register_tool_group(**request)
        assert (await call(stack, "div", a=1, b=4)).content == "0.25"
        assert (await call(stack, "plus", a=1, b=4)).content == "5"


def test_python_tool_group_refuses_callables_without_an_import_path() -> None:
    def local(x: int) -> int:
        return x

    with pytest.raises(ValueError, match="has no import path"):
        python_tool_group("g", [local])
    with pytest.raises(ValueError, match="has no import path"):
        python_tool_group("g", [lambda: 0])

    def script_function() -> None: ...

    script_function.__module__ = "__main__"
    script_function.__qualname__ = "script_function"
    with pytest.raises(ValueError, match="defined in __main__"):
        python_tool_group("g", [script_function])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"functions": ["os:system"]}, r"module 'os' is not in this provider's importable_modules \(add the module to"),
        ({"functions": ["python_tools_samples_other:add"]}, "not in this provider's importable_modules"),
        ({"functions": ["python_tools_samples:nope"]}, "has no attribute 'nope'"),
        ({"functions": []}, "args: functions: List should have at least 1 item"),
        ({"functions": ["python_tools_samples:add"], "extra": 1}, "args: extra: Extra inputs are not permitted"),
        ({}, "args.functions is required"),
    ],
)
async def test_bad_groups_are_refused_at_registration(samples: ModuleType, args: dict[str, Any], message: str) -> None:
    config = run_config(python_tools_provider(importable_modules=["python_tools_samples"]))
    async with await Stack.from_config(config, host=host()) as stack:
        with pytest.raises(BadRequestError, match=message):
            await stack.tool_runtime.register_tool_group(toolgroup_id="bad", args=args)
        assert stack.tool_groups.list() == []


async def test_the_configs_own_functions_may_be_registered_without_importable_modules(samples: ModuleType) -> None:
    config = run_config(python_tools_provider(["python_tools_samples:add"]))
    async with await Stack.from_config(config, host=host()) as stack:
        await stack.tool_runtime.register_tool_group(
            toolgroup_id="again", args={"functions": [{"function": "python_tools_samples:add", "name": "sum"}]}
        )
        assert (await call(stack, "sum", a=1, b=1)).content == "2"
        with pytest.raises(BadRequestError, match="importable_modules"):
            await stack.tool_runtime.register_tool_group(
                toolgroup_id="more", args={"functions": ["python_tools_samples:divide"]}
            )


async def test_a_persisted_group_whose_module_is_gone_is_left_out_of_the_listing(samples: ModuleType) -> None:
    allowed = run_config(
        python_tools_provider(["python_tools_samples:add"], importable_modules=["python_tools_samples"])
    )
    async with await Stack.from_config(allowed, host=host()) as stack:
        await stack.tool_runtime.register_tool_group(
            toolgroup_id="words", args={"functions": ["python_tools_samples:lookup_word"]}
        )
    locked = run_config(python_tools_provider(["python_tools_samples:add"]))  # importable_modules removed since
    async with await Stack.from_config(locked, host=host()) as stack:
        assert [t.name for t in (await stack.tool_runtime.list_tools()).data] == ["add"]
        with pytest.raises(ConfigError, match=r"tool group 'words': args\.functions\[0\]"):
            await stack.tool_runtime.list_tools("words")


# -- in-process groups added at run time ---------------------------------------------


async def test_add_functions_serves_callables_for_this_process_only(samples: ModuleType) -> None:
    calls: list[int] = []

    async def record(n: int) -> str:
        """Remember n."""
        calls.append(n)
        return "noted"

    config = run_config(samples_provider())
    async with await Stack.from_config(config, host=host()) as stack:
        group = add_functions(stack, "scratch", [record])
        assert group.provider_id == "python"
        assert [g.id for g in stack.tool_groups.list()] == ["samples", "scratch"]
        assert (await call(stack, "record", n=7)).content == "noted"
        assert calls == [7]
        with pytest.raises(ConflictError):
            add_functions(stack, "scratch", [record])
        with pytest.raises(ConflictError):
            add_functions(stack, "samples", [record])
        with pytest.raises(BadRequestError, match="tool name '<lambda>'"):
            add_functions(stack, "bad", [lambda: 0])
        await remove_functions(stack, "scratch")
        with pytest.raises(NotFoundError):
            await call(stack, "record", n=8)
        add_functions(stack, "scratch", [tool(record, name="record_again")])  # the id is free again
        assert (await call(stack, "record_again", n=9)).content == "noted"
    async with await Stack.from_config(config, host=host()) as stack:
        assert [g.id for g in stack.tool_groups.list()] == ["samples"]  # nothing was persisted


async def test_python_tools_finds_the_provider_by_id(samples: ModuleType) -> None:
    config = run_config(samples_provider())
    config["providers"]["tool_runtime"].append(python_tools_provider(provider_id="more", toolgroup_id="more"))
    async with await Stack.from_config(config, host=host()) as stack:
        with pytest.raises(BadRequestError, match=r"provider_id is required: .* \['more', 'python'\]"):
            python_tools(stack)
        assert python_tools(stack, "more").provider_id == "more"
        with pytest.raises(NotFoundError, match="no provider 'nope'"):
            python_tools(stack, "nope")
        group = add_functions(stack, "extra", ["python_tools_samples:divide"], provider_id="more")
        assert group.provider_id == "more"
        assert [t.name for t in (await stack.tool_runtime.list_tools("extra")).data] == ["divide"]
