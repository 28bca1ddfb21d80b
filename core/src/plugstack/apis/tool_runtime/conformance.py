"""The tool runtime conformance suite: one set of tests every tool runtime provider passes.

A plugin adopts it by subclassing :class:`ToolRuntimeConformance` in its ``tests/`` folder::

    # plugins/plugstack-foo/tests/test_conformance.py
    from typing import Any
    from plugstack.testing.tool_conformance import ToolRuntimeConformance

    class TestFooConformance(ToolRuntimeConformance):
        toolgroup_id = "foo-tools"              # as the stack lists it
        tool_name = "add"                       # a tool of that group...
        tool_arguments = {"a": 2, "b": 3}       # ...valid arguments for it...
        expected_text = "5"                     # ...and text its answer contains
        failing_arguments = {"a": 1, "b": 0}    # valid by the schema, but the tool fails (None: skip)
        provider_type = "remote::foo"

        @classmethod
        def run_config(cls) -> dict[str, Any]:
            return {"distribution_name": "foo-tools", "providers": {"tool_runtime": [...]},
                    "registered_resources": {"tool_groups": [{"toolgroup_id": "foo-tools"}]}}

The tool's schema must declare at least one required argument (the test of refused
arguments leaves one out). Tests run in library mode inside the ``plugstack_cassette``
fixture, so a provider that calls an HTTP upstream replays its recorded traffic.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

import pytest

from plugstack.apis.tool_runtime.types import ToolInvocationResult
from plugstack.errors import BadRequestError, NotFoundError
from plugstack.stack import Stack
from plugstack.testing.suite import ConformanceSuite, requires

__all__ = ["FEATURES", "ToolRuntimeConformance"]

FEATURES: dict[str, str] = {
    "tool_errors": "a call the tool fails on answers with error_message, not an exception",
    "concurrent_calls": "eight calls at once all answer, each its own result",
}


def result_text(result: ToolInvocationResult) -> str:
    """The text of a tool's answer, whether it came as a string or as content parts."""
    if isinstance(result.content, str):
        return result.content
    return "".join(str(part.get("text", "")) for part in result.content or [])


class ToolRuntimeConformance(ConformanceSuite):
    """Base class of a tool runtime provider's conformance tests (see the module docstring)."""

    api = "tool_runtime"
    features = FEATURES
    toolgroup_id: ClassVar[str]
    tool_name: ClassVar[str]
    tool_arguments: ClassVar[dict[str, Any]]
    expected_text: ClassVar[str]
    failing_arguments: ClassVar[dict[str, Any] | None] = None

    async def invoke(self, stack: Stack, arguments: dict[str, Any]) -> ToolInvocationResult:
        result = await stack.tool_runtime.invoke_tool(tool_name=self.tool_name, kwargs=arguments)
        assert isinstance(result, ToolInvocationResult)
        return result

    async def test_the_group_lists_its_tools_with_schemas(self, stack: Stack) -> None:
        group = stack.tool_groups.get(self.toolgroup_id)
        assert group.provider_id
        tools = (await stack.tool_runtime.list_tools(self.toolgroup_id)).data
        assert self.tool_name in [tool.name for tool in tools]
        for tool in tools:
            assert tool.toolgroup_id == self.toolgroup_id
            assert tool.parameters.get("type") == "object", f"{tool.name}: parameters must be an object schema"

    async def test_every_groups_tools_include_this_one(self, stack: Stack) -> None:
        names = [tool.name for tool in (await stack.tool_runtime.list_tools()).data]
        assert self.tool_name in names
        assert (await stack.tool_runtime.get_tool(self.tool_name)).toolgroup_id == self.toolgroup_id

    async def test_invoking_the_tool_answers(self, stack: Stack) -> None:
        result = await self.invoke(stack, self.tool_arguments)
        assert result.error_message is None, result.error_message
        assert self.expected_text in result_text(result)

    async def test_arguments_the_schema_refuses_are_a_400(self, stack: Stack) -> None:
        tool = await stack.tool_runtime.get_tool(self.tool_name)
        required = tool.parameters.get("required") or []
        assert required, f"{self.tool_name} must declare a required argument for this test"
        missing = {k: v for k, v in self.tool_arguments.items() if k != required[0]}
        with pytest.raises(BadRequestError, match=required[0]):
            await self.invoke(stack, missing)

    async def test_an_unknown_tool_is_a_404(self, stack: Stack) -> None:
        with pytest.raises(NotFoundError):
            await stack.tool_runtime.invoke_tool(tool_name="no_such_tool_anywhere", kwargs={})

    @requires("tool_errors")
    async def test_a_failing_tool_answers_with_its_error(self, stack: Stack) -> None:
        if self.failing_arguments is None:
            pytest.skip(f"{type(self).__name__} gives no failing_arguments")
        result = await self.invoke(stack, self.failing_arguments)
        assert result.error_message

    @requires("concurrent_calls")
    async def test_concurrent_calls_all_answer(self, stack: Stack) -> None:
        results = await asyncio.gather(*(self.invoke(stack, self.tool_arguments) for _ in range(8)))
        assert all(self.expected_text in result_text(r) and r.error_message is None for r in results)
