"""Configuration of ``inline::python-functions``."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_serializer, field_validator

__all__ = ["FunctionEntry", "FunctionRef", "GroupArgs", "PythonToolsConfig"]

_MODULE_PREFIX = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


class FunctionRef(BaseModel):
    """A function by import path, with the tool name or description it is served under instead of its own."""

    model_config = ConfigDict(extra="forbid")

    function: str = Field(min_length=1, description='import path, "package.module:function"')
    name: str | None = None
    description: str | None = None


# An import path, a FunctionRef, or (library mode only: it cannot be written in YAML or
# persisted) the callable itself.
FunctionEntry = str | FunctionRef | Callable[..., Any]


class PythonToolsConfig(BaseModel):
    """``functions`` are served as the tool group ``toolgroup_id``, listed without registration.

    ``importable_modules`` guards the groups registered at run time (the API's
    ``POST /v1/toolgroups`` or ``registered_resources.tool_groups`` with
    ``args.functions``): their functions must come from these modules or their
    submodules, so that whoever may register a group cannot make the server import and
    call anything installed (``os:system``). ``"*"`` allows every module: only for a
    trusted, in-process stack. ``functions`` of this config are always allowed.
    """

    model_config = ConfigDict(extra="forbid")

    toolgroup_id: str = Field(default="python", min_length=1)
    functions: list[FunctionEntry] = Field(default_factory=list)
    importable_modules: list[str] = Field(default_factory=list)

    @field_validator("importable_modules")
    @classmethod
    def _check_modules(cls, value: list[str]) -> list[str]:
        for entry in value:
            if entry != "*" and not _MODULE_PREFIX.match(entry):
                raise ValueError(f"{entry!r} is not a module name like 'package.module' (or '*')")
        return value

    @field_serializer("functions", when_used="json")
    def _functions_as_text(self, value: list[FunctionEntry]) -> list[Any]:
        """Callables shown by name: a config of library mode still dumps to JSON (for logs)."""
        return [entry if isinstance(entry, str | FunctionRef) else _callable_name(entry) for entry in value]

    @classmethod
    def sample_run_config(cls) -> dict[str, Any]:
        return {"toolgroup_id": "python", "functions": [], "importable_modules": []}


class GroupArgs(BaseModel):
    """A tool group's ``args`` for this provider: the functions it serves, by import path (persisted as JSON)."""

    model_config = ConfigDict(extra="forbid")

    functions: list[str | FunctionRef] = Field(min_length=1)


def _callable_name(value: Any) -> str:
    module = getattr(value, "__module__", None) or "?"
    name = getattr(value, "__qualname__", None) or type(value).__qualname__
    return f"<callable {module}:{name}>"
