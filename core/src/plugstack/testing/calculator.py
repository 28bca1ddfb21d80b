"""``inline::calculator``: a tool runtime test double with arithmetic tools.

It is registered in-process only (``host.register(CalculatorPlugin(), name="calculator")``),
never through an entry point; the real tool runtimes are the plugins under ``plugins/``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import BaseModel

import plugstack
from plugstack.apis import Api
from plugstack.apis.tool_groups.types import ToolGroup
from plugstack.apis.tool_runtime.types import ToolDef, ToolInvocationResult
from plugstack.errors import BadRequestError, ProviderError
from plugstack.provider_context import ProviderContext
from plugstack.provider_spec import ProviderSpec

__all__ = ["ADD", "DIVIDE", "Calculator", "CalculatorConfig", "CalculatorPlugin"]


class CalculatorConfig(BaseModel):
    unreachable_groups: list[str] = []  # groups whose "server" is down


class CalculatorPlugin:
    @plugstack.hookimpl
    def plugstack_tool_runtime_providers(self) -> list[ProviderSpec]:
        return [
            ProviderSpec(
                api=Api.tool_runtime,
                provider_type="inline::calculator",
                config_class="plugstack.testing.calculator:CalculatorConfig",
                adapter_factory="plugstack.testing.calculator:Calculator",
                description="test double: arithmetic tools",
            )
        ]


ADD = ToolDef(
    name="add",
    description="Add two integers.",
    parameters={
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
        "required": ["a", "b"],
        "additionalProperties": False,
    },
)
DIVIDE = ToolDef(
    name="divide",
    description="Divide a by b.",
    parameters={
        "type": "object",
        "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
        "required": ["a", "b"],
    },
)


class Calculator:
    """Serves the group ``calc`` unregistered; a group's ``args.prefix`` renames its tools ``<prefix>add``.

    It records the groups it was asked to register and the args each call saw, so tests can
    check what reached the provider.
    """

    def __init__(self, config: CalculatorConfig, context: ProviderContext) -> None:
        self.config = config
        self.provider_id = context.provider_id
        self.registered: list[ToolGroup] = []
        self.released: list[str] = []
        self.list_calls = 0

    async def list_tool_groups(self) -> list[ToolGroup]:
        return [ToolGroup(id="calc", provider_resource_id="calc")]

    async def register_tool_group(self, group: ToolGroup) -> None:
        if "prefix" in group.args and not isinstance(group.args["prefix"], str):
            raise BadRequestError("args.prefix must be a string", param="args.prefix")
        self.registered.append(group)

    async def unregister_tool_group(self, group: ToolGroup) -> None:
        self.released.append(group.id)

    async def list_tools(self, group: ToolGroup) -> list[ToolDef]:
        self.list_calls += 1
        if group.id in self.config.unreachable_groups:
            raise ProviderError(
                f"tool group {group.id!r}: server is down", provider_id=self.provider_id, status_code=503
            )
        prefix = group.args.get("prefix", "")
        return [tool.model_copy(update={"name": prefix + tool.name}) for tool in (ADD, DIVIDE)]

    async def invoke_tool(self, group: ToolGroup, tool_name: str, arguments: dict[str, Any]) -> ToolInvocationResult:
        await asyncio.sleep(0)
        name = tool_name.removeprefix(group.args.get("prefix", ""))
        if name == "add":
            return ToolInvocationResult(content=str(arguments["a"] + arguments["b"]), metadata={"group": group.id})
        if arguments["b"] == 0:
            return ToolInvocationResult(error_message="division by zero")
        return ToolInvocationResult(content=[{"type": "text", "text": str(arguments["a"] / arguments["b"])}])
