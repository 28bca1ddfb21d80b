"""Helpers for library mode: run config entries, registration requests, and in-process groups.

Two ways to give a stack Python functions, because a tool group is persisted as JSON:

- **by import path** (survives restarts, works in server mode): :func:`python_tools_provider`
  (a ``providers.tool_runtime`` entry) and :func:`python_tool_group` (a
  ``registered_resources.tool_groups`` entry, or the keyword arguments of
  ``stack.tool_runtime.register_tool_group``) turn importable callables into paths;
- **as callables** (this process only: lambdas, closures, functions of a script):
  pass them in :func:`python_tools_provider`'s ``functions``, or add a group to a running
  stack with :func:`add_functions`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from plugstack.apis.tool_groups.types import ToolGroup
from plugstack.errors import BadRequestError, ConflictError, NotFoundError
from plugstack_python_tools import PROVIDER_TYPE
from plugstack_python_tools.config import FunctionEntry, FunctionRef
from plugstack_python_tools.functions import import_path_of
from plugstack_python_tools.provider import PythonToolRuntime

if TYPE_CHECKING:
    from plugstack.stack import Stack

__all__ = ["add_functions", "python_tool_group", "python_tools", "python_tools_provider", "remove_functions"]


def python_tools_provider(
    functions: Sequence[FunctionEntry] = (),
    *,
    provider_id: str = "python",
    toolgroup_id: str = "python",
    importable_modules: Sequence[str] = (),
) -> dict[str, Any]:
    """A ``providers.tool_runtime`` entry serving ``functions`` (callables allowed) as ``toolgroup_id``.

    ::

        config = {"distribution_name": "mine", "providers": {"tool_runtime": [python_tools_provider([add, div])]}}
    """
    return {
        "provider_id": provider_id,
        "provider_type": PROVIDER_TYPE,
        "config": {
            "toolgroup_id": toolgroup_id,
            "functions": list(functions),
            "importable_modules": list(importable_modules),
        },
    }


def python_tool_group(
    toolgroup_id: str, functions: Sequence[FunctionEntry], *, provider_id: str | None = None
) -> dict[str, Any]:
    """A tool group of ``functions`` named by import path, JSON all through, so it can be persisted.

    Use it as a ``registered_resources.tool_groups`` entry, or register it at run time:
    ``await stack.tool_runtime.register_tool_group(**python_tool_group("math", [add]))``.
    The provider must allow the functions' modules (``importable_modules``). A callable
    without an import path (a lambda, a closure, a function of ``__main__``) raises
    ``ValueError``: serve those with :func:`add_functions` instead.
    """
    paths: list[Any] = []
    for entry in functions:
        if isinstance(entry, str):
            paths.append(entry)
            continue
        path = entry if isinstance(entry, FunctionRef) else import_path_of(entry)
        paths.append(path.model_dump(exclude_none=True) if isinstance(path, FunctionRef) else path)
    request: dict[str, Any] = {"toolgroup_id": toolgroup_id, "args": {"functions": paths}}
    if provider_id is not None:
        request["provider_id"] = provider_id
    return request


def python_tools(stack: Stack, provider_id: str | None = None) -> PythonToolRuntime:
    """The ``inline::python-functions`` provider of a running stack (the only one, or ``provider_id``)."""
    found = {
        instance.provider_id: instance.impl
        for instance in stack.providers
        if isinstance(instance.impl, PythonToolRuntime) and provider_id in (None, instance.provider_id)
    }
    if not found:
        wanted = f"provider {provider_id!r} of type" if provider_id else "provider of type"
        raise NotFoundError(f"the stack has no {wanted} {PROVIDER_TYPE}", param="provider_id")
    if len(found) > 1:
        raise BadRequestError(f"provider_id is required: the {PROVIDER_TYPE} providers are {sorted(found)}")
    return next(iter(found.values()))


def add_functions(
    stack: Stack, toolgroup_id: str, functions: Sequence[FunctionEntry], *, provider_id: str | None = None
) -> ToolGroup:
    """Serve ``functions`` (callables) as the tool group ``toolgroup_id`` of a running stack, for this process only.

    The group is listed by ``stack.tool_groups`` and its tools are invoked like any other,
    but it is not persisted (callables cannot be): it is gone when the stack closes.
    """
    provider = python_tools(stack, provider_id)
    if stack.tool_groups.table.find(toolgroup_id) is not None:
        raise ConflictError(f"tool group {toolgroup_id!r} already exists", param="toolgroup_id")
    group: ToolGroup = stack.tool_groups.add_for_this_run(provider.add_functions(toolgroup_id, functions))
    return group


async def remove_functions(stack: Stack, toolgroup_id: str) -> ToolGroup:
    """Stop serving a group :func:`add_functions` added."""
    group: ToolGroup = stack.tool_groups.get(toolgroup_id)
    provider = python_tools(stack, group.provider_id)
    provider.remove_functions(group.provider_resource_id or group.id)
    removed: ToolGroup = await stack.tool_runtime.unregister_tool_group(toolgroup_id)
    return removed
