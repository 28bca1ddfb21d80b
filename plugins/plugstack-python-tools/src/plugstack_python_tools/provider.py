"""``inline::python-functions``: tool groups of Python functions, served in this process.

A group's functions come from one of two places:

- ``args.functions`` (import paths) of a group registered through the API or the run
  config's ``registered_resources.tool_groups``: persisted with the group, resolved
  again after a restart;
- the provider's in-process groups: ``config.functions`` (listed as the group
  ``config.toolgroup_id``, no registration needed) and those :meth:`add_functions` adds
  at run time. They hold the callables themselves, so they live as long as the process.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import ValidationError

from plugstack.apis.tool_groups.types import ToolGroup
from plugstack.apis.tool_runtime.types import ToolDef, ToolInvocationResult
from plugstack.errors import BadRequestError, ConfigError, ConflictError, NotFoundError, PlugstackError
from plugstack.provider_context import ProviderContext
from plugstack.validation import bad_request_from
from plugstack_python_tools import PROVIDER_TYPE
from plugstack_python_tools.config import FunctionEntry, FunctionRef, GroupArgs, PythonToolsConfig
from plugstack_python_tools.functions import ToolDefinitionError, function_source, module_allowed
from plugstack_python_tools.invocation import invoke
from plugstack_python_tools.schema import CompiledTool, compile_tool

__all__ = ["PythonToolRuntime", "compile_group", "create_provider"]

log = logging.getLogger("plugstack_python_tools")

Tools = dict[str, CompiledTool]


def create_provider(config: PythonToolsConfig, context: ProviderContext) -> PythonToolRuntime:
    """Import and compile ``config.functions`` now: a bad import path stops the stack at start-up."""
    provider = PythonToolRuntime(config, provider_id=context.provider_id)
    if config.functions:
        try:
            provider.serve_config_functions()
        except ToolDefinitionError as exc:
            raise ConfigError(
                f"provider {context.provider_id!r} ({PROVIDER_TYPE}): config.{exc}", param="functions"
            ) from None
    return provider


def compile_group(entries: Sequence[FunctionEntry], *, allowed: Callable[[str], bool] | None = None) -> Tools:
    """Each entry's tool by name; a :class:`ToolDefinitionError` naming ``functions[i]`` for the first bad one."""
    tools: Tools = {}
    for index, entry in enumerate(entries):
        try:
            compiled = compile_tool(function_source(entry, allowed=allowed))
        except ToolDefinitionError as exc:
            raise ToolDefinitionError(f"functions[{index}]: {exc}") from None
        if compiled.name in tools:
            raise ToolDefinitionError(
                f"functions[{index}]: {compiled.label}: tool name {compiled.name!r} is taken by "
                f"{tools[compiled.name].label}; rename one with a name"
            )
        tools[compiled.name] = compiled
    return tools


class PythonToolRuntime:
    """The provider object (see the module docstring)."""

    def __init__(self, config: PythonToolsConfig, *, provider_id: str) -> None:
        self.config = config
        self.provider_id = provider_id
        self._local: dict[str, Tools] = {}  # in-process groups, by provider_resource_id
        self._added: set[str] = set()  # those of them add_functions added
        self._by_args: dict[str, tuple[str, Tools]] = {}  # group id -> (its args as JSON, its tools)
        self._config_paths = {
            entry if isinstance(entry, str) else entry.function
            for entry in config.functions
            if isinstance(entry, str | FunctionRef)
        }

    def serve_config_functions(self) -> None:
        self._local[self.config.toolgroup_id] = compile_group(self.config.functions)

    # -- the ToolRuntime protocol -------------------------------------------------------

    async def list_tool_groups(self) -> list[ToolGroup]:
        return [ToolGroup(id=group_id, provider_resource_id=group_id) for group_id in self._local]

    async def register_tool_group(self, group: ToolGroup) -> None:
        """Check that the group's functions import and make tools: a 400 naming the bad one otherwise."""
        if group.mcp_endpoint is not None:
            raise BadRequestError(
                f"tool group {group.id!r}: provider {self.provider_id!r} serves Python functions, not MCP servers",
                param="mcp_endpoint",
            )
        if group.args:
            self._args_tools(group, BadRequestError)
        elif self._resource_id(group) not in self._local:
            raise BadRequestError(
                f"tool group {group.id!r}: args.functions is required (import paths, 'package.module:function'); "
                f"provider {self.provider_id!r} serves no group {self._resource_id(group)!r} of its own",
                param="args",
            )

    async def unregister_tool_group(self, group: ToolGroup) -> None:
        self._by_args.pop(group.id, None)

    async def list_tools(self, group: ToolGroup) -> list[ToolDef]:
        return [tool.definition for tool in self._tools(group).values()]

    async def invoke_tool(self, group: ToolGroup, tool_name: str, arguments: dict[str, Any]) -> ToolInvocationResult:
        tool = self._tools(group).get(tool_name)
        if tool is None:
            raise NotFoundError(
                f"tool {tool_name!r} is not in tool group {group.id!r}", param="tool_name", code="tool_not_found"
            )
        return await invoke(tool, arguments, provider_id=self.provider_id)

    # -- in-process groups (library mode) ---------------------------------------------------

    def add_functions(self, toolgroup_id: str, functions: Sequence[FunctionEntry]) -> ToolGroup:
        """Serve ``functions`` (callables or import paths) as the in-process group ``toolgroup_id``.

        Nothing is persisted: the callables live in this process only. The stack's tool
        group table must learn of the group too; :func:`plugstack_python_tools.add_functions`
        does both.
        """
        if toolgroup_id in self._local:
            raise ConflictError(f"tool group {toolgroup_id!r} already exists", param="toolgroup_id")
        try:
            self._local[toolgroup_id] = compile_group(functions)
        except ToolDefinitionError as exc:
            raise BadRequestError(f"tool group {toolgroup_id!r}: {exc}", param="functions") from None
        self._added.add(toolgroup_id)
        return ToolGroup(id=toolgroup_id, provider_id=self.provider_id, provider_resource_id=toolgroup_id)

    def remove_functions(self, toolgroup_id: str) -> None:
        """Stop serving a group :meth:`add_functions` added."""
        if toolgroup_id not in self._added:
            raise NotFoundError(f"no in-process tool group {toolgroup_id!r} was added", param="toolgroup_id")
        self._added.discard(toolgroup_id)
        del self._local[toolgroup_id]

    # -- internals --------------------------------------------------------------------------

    def _tools(self, group: ToolGroup) -> Tools:
        if group.args:
            return self._args_tools(group, ConfigError)
        local = self._local.get(self._resource_id(group))
        if local is None:
            raise ConfigError(
                f"provider {self.provider_id!r}: tool group {group.id!r} has no args.functions and names no "
                f"in-process group ({self._resource_id(group)!r}); groups of callables live only in the process "
                "that added them: add it again, or unregister it"
            )
        return local

    def _args_tools(self, group: ToolGroup, error: type[PlugstackError]) -> Tools:
        """The tools of a group's ``args.functions``, compiled once per args (they survive a restart as JSON)."""
        key = json.dumps(group.args, sort_keys=True, default=str)
        cached = self._by_args.get(group.id)
        if cached is not None and cached[0] == key:
            return cached[1]
        try:
            args = GroupArgs.model_validate(group.args)
        except ValidationError as exc:
            problem = bad_request_from(exc).message.removeprefix("invalid request: ")
            raise error(f"tool group {group.id!r}: args: {problem}", param="args") from None
        try:
            tools = compile_group(args.functions, allowed=self._importable)
        except ToolDefinitionError as exc:
            hint = ""
            if "importable_modules" in str(exc):
                hint = f" (add the module to providers.tool_runtime[{self.provider_id}].config.importable_modules)"
            raise error(f"tool group {group.id!r}: args.{exc}{hint}", param="args") from None
        self._by_args[group.id] = (key, tools)
        return tools

    def _importable(self, path: str) -> bool:
        """May a group registered at run time import ``path``? (Importing runs code, calling more so.)"""
        module = path.partition(":")[0]
        return path in self._config_paths or module_allowed(module, self.config.importable_modules)

    @staticmethod
    def _resource_id(group: ToolGroup) -> str:
        return group.provider_resource_id or group.id
