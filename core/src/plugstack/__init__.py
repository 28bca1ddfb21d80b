"""plugstack: one API for AI applications, many providers behind it.

The names a plugin or an application needs are importable from here; everything heavier
is imported on first use, so ``import plugstack`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import pluggy

__version__ = "0.1.0"

hookimpl = pluggy.HookimplMarker("plugstack")
"""Marks a plugin function as the implementation of a ``plugstack_*`` hook."""

__all__ = [
    "Api",
    "ProviderSpec",
    "Stack",
    "SyncStack",
    "__version__",
    "errors",
    "hookimpl",
]

_LAZY = {
    "Api": "plugstack.apis",
    "ProviderSpec": "plugstack.provider_spec",
    "Stack": "plugstack.stack",
    "SyncStack": "plugstack.stack",
}

if TYPE_CHECKING:
    from plugstack import errors
    from plugstack.apis import Api
    from plugstack.provider_spec import ProviderSpec
    from plugstack.stack import Stack, SyncStack


def __getattr__(name: str) -> Any:
    if name == "errors":
        return importlib.import_module("plugstack.errors")
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'plugstack' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value
