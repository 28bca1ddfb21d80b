"""plugstack-python-tools: the ``inline::python-functions`` tool runtime provider.

Plain Python callables become tools: each one's name, docstring and type hints make its
``ToolDef`` (a JSON schema built with pydantic), and a call validates the arguments with
pydantic, runs the function (sync ones in a thread) and answers its return value as text.

This module is the plugin's entry point: it registers the provider and imports nothing
else of the package until a helper below is used, so discovering plugins stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import plugstack
from plugstack.apis import Api
from plugstack.provider_spec import ProviderSpec

if TYPE_CHECKING:
    from plugstack_python_tools.functions import PythonTool, tool
    from plugstack_python_tools.library import (
        add_functions,
        python_tool_group,
        python_tools,
        python_tools_provider,
        remove_functions,
    )
    from plugstack_python_tools.provider import PythonToolRuntime

__all__ = [
    "PROVIDER_TYPE",
    "PythonTool",
    "PythonToolRuntime",
    "add_functions",
    "plugstack_tool_runtime_providers",
    "python_tool_group",
    "python_tools",
    "python_tools_provider",
    "remove_functions",
    "tool",
]

PROVIDER_TYPE = "inline::python-functions"

_LAZY = {
    "PythonTool": "functions",
    "tool": "functions",
    "PythonToolRuntime": "provider",
    "add_functions": "library",
    "python_tool_group": "library",
    "python_tools": "library",
    "python_tools_provider": "library",
    "remove_functions": "library",
}


@plugstack.hookimpl
def plugstack_tool_runtime_providers() -> list[ProviderSpec]:
    return [
        ProviderSpec(
            api=Api.tool_runtime,
            provider_type=PROVIDER_TYPE,
            config_class="plugstack_python_tools.config:PythonToolsConfig",
            adapter_factory="plugstack_python_tools.provider:create_provider",
            pip_packages=["plugstack-python-tools"],
            description="plain Python functions (by import path, or callables in library mode) as a tool group",
        )
    ]


def __getattr__(name: str) -> Any:
    """The helpers, imported on first use (see the module docstring)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
