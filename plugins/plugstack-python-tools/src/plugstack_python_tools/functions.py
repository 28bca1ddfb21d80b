"""Which callables a tool group serves: import paths resolved, ``tool()`` overrides, names checked.

A function is named in three ways: an import path (``"package.module:function"``, what
a run.yaml and a registered group's ``args`` hold), a :class:`FunctionRef` (an import
path with another name or description), or, in library mode, the callable itself,
optionally wrapped by :func:`tool` to rename it.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, overload

from plugstack_python_tools.config import FunctionEntry, FunctionRef

__all__ = [
    "FunctionSource",
    "PythonTool",
    "ToolDefinitionError",
    "check_tool_name",
    "function_source",
    "import_path_of",
    "module_allowed",
    "resolve_import_path",
    "tool",
]

_IMPORT_PATH = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$")
_TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # what OpenAI-style function calling accepts


class ToolDefinitionError(ValueError):
    """A function cannot be served as a tool; the message says which and why.

    Each caller turns it into the error of its place: a ``ConfigError`` for the
    provider's config, a ``BadRequestError`` for a group registered at run time.
    """


@dataclass(frozen=True)
class PythonTool:
    """A callable with the tool name and description it is served under; calling it calls the function."""

    func: Callable[..., Any]
    name: str | None = None
    description: str | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.func(*args, **kwargs)


@overload
def tool(func: Callable[..., Any], /, *, name: str | None = None, description: str | None = None) -> PythonTool: ...
@overload
def tool(
    func: None = None, /, *, name: str | None = None, description: str | None = None
) -> Callable[[Callable[..., Any]], PythonTool]: ...
def tool(
    func: Callable[..., Any] | None = None, /, *, name: str | None = None, description: str | None = None
) -> PythonTool | Callable[[Callable[..., Any]], PythonTool]:
    """Serve ``func`` under another name or description: ``tool(f, name="plus")`` or ``@tool(name="plus")``."""
    if name is not None:
        check_tool_name(name, where=repr(func) if func is not None else "tool()")
    if func is None:
        return lambda f: PythonTool(f, name, description)
    return PythonTool(func, name, description)


@dataclass(frozen=True)
class FunctionSource:
    """One entry of a group, resolved: the callable, its overrides, and what to call it in messages."""

    func: Callable[..., Any]
    name: str | None
    description: str | None
    label: str


def function_source(entry: FunctionEntry, *, allowed: Callable[[str], bool] | None = None) -> FunctionSource:
    """Resolve one entry of a group; ``allowed(path)`` vets import paths before anything is imported."""
    if isinstance(entry, str):
        return _unwrapped(resolve_import_path(entry, allowed=allowed), None, None, entry)
    if isinstance(entry, FunctionRef):
        found = resolve_import_path(entry.function, allowed=allowed)
        return _unwrapped(found, entry.name, entry.description, entry.function)
    if callable(entry):
        return _unwrapped(entry, None, None, _label(entry))
    raise ToolDefinitionError(f"{entry!r} is neither an import path nor a callable")


def _unwrapped(found: Any, name: str | None, description: str | None, label: str) -> FunctionSource:
    if isinstance(found, PythonTool):  # the entry's own overrides win over the wrapper's
        return FunctionSource(found.func, name or found.name, description or found.description, label)
    if not callable(found):
        raise ToolDefinitionError(f"{label}: {type(found).__name__} is not callable")
    return FunctionSource(found, name, description, label)


def resolve_import_path(path: str, *, allowed: Callable[[str], bool] | None = None) -> Any:
    """The object ``"package.module:attr.sub"`` names; a :class:`ToolDefinitionError` saying what is wrong.

    ``allowed(path)`` is asked first: importing a module runs its code.
    """
    if not _IMPORT_PATH.match(path):
        raise ToolDefinitionError(f"{path!r} is not an import path like 'package.module:function'")
    module_name, _, attr_path = path.partition(":")
    if allowed is not None and not allowed(path):
        raise ToolDefinitionError(f"{path}: module {module_name!r} is not in this provider's importable_modules")
    try:
        obj: Any = importlib.import_module(module_name)
    except Exception as exc:  # ImportError, or whatever the module raises while it is imported
        raise ToolDefinitionError(f"{path}: cannot import {module_name!r}: {type(exc).__name__}: {exc}") from None
    for attr in attr_path.split("."):
        try:
            obj = getattr(obj, attr)
        except AttributeError:
            raise ToolDefinitionError(f"{path}: {module_name!r} has no attribute {attr_path!r}") from None
    return obj


def module_allowed(module: str, prefixes: Sequence[str]) -> bool:
    """True if ``module`` is one of ``prefixes`` or inside one of them (``"*"`` allows every module)."""
    return any(p == "*" or module == p or module.startswith(p + ".") for p in prefixes)


def import_path_of(func: Callable[..., Any]) -> str | FunctionRef:
    """What a persisted group names ``func`` by: its import path, or a :class:`FunctionRef` for ``tool()`` overrides.

    Only a function another process can import the same way has one: lambdas, closures,
    methods of instances and functions of ``__main__`` raise :class:`ToolDefinitionError`.
    """
    target = func.func if isinstance(func, PythonTool) else func
    module = getattr(target, "__module__", None)
    qualname = getattr(target, "__qualname__", None)
    if not module or not qualname or "<" in qualname:
        raise ToolDefinitionError(f"{_label(target)} has no import path (a lambda, closure or callable object)")
    if module == "__main__":
        raise ToolDefinitionError(
            f"{qualname} is defined in __main__, which names another module in every process; "
            "move it to a module, or serve it in-process with add_functions()"
        )
    path = f"{module}:{qualname}"
    try:
        found = resolve_import_path(path)
    except ToolDefinitionError:
        raise ToolDefinitionError(f"{_label(target)}: {path} does not import") from None
    if found is func:
        return path
    if found is not target and not (isinstance(found, PythonTool) and found.func is target):
        raise ToolDefinitionError(f"{_label(target)}: {path} imports another object")
    if isinstance(func, PythonTool) and (func.name or func.description):
        return FunctionRef(function=path, name=func.name, description=func.description)
    return path


def check_tool_name(name: str, *, where: str) -> str:
    if not _TOOL_NAME.match(name):
        raise ToolDefinitionError(
            f"{where}: tool name {name!r} must be 1 to 64 letters, digits, '_' or '-'; give one with tool(f, name=...)"
        )
    return name


def _label(value: Any) -> str:
    if isinstance(value, functools.partial):
        return f"functools.partial({_label(value.func)})"
    module = getattr(value, "__module__", None) or "?"
    name = getattr(value, "__qualname__", None) or type(value).__qualname__
    return f"{module}:{name}"
