"""``${env.VAR}``, ``${env.VAR:=default}`` and ``${env.VAR:+value}`` in run configs.

- ``${env.VAR}``: the variable's value; an error naming the YAML path if it is unset.
- ``${env.VAR:=default}``: the value, or ``default`` when unset or empty.
- ``${env.VAR:+value}``: ``value`` when the variable is set and non-empty, else empty.

A string that is nothing but one substitution and resolves to empty becomes ``None``, so
that a required field left empty is recognisably missing (and its provider skipped).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from plugstack.errors import ConfigError

__all__ = ["substitute_env"]

_PATTERN = re.compile(r"\$\{env\.([A-Za-z_][A-Za-z0-9_]*)(?:(:=|:\+)([^}]*))?\}")


def substitute_env(value: Any, env: Mapping[str, str], *, source: str = "", path: str = "") -> Any:
    """Return ``value`` (parsed YAML) with every substitution in every string applied."""
    if isinstance(value, dict):
        return {k: substitute_env(v, env, source=source, path=_join(path, str(k))) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute_env(v, env, source=source, path=f"{path}[{i}]") for i, v in enumerate(value)]
    if not isinstance(value, str) or "${" not in value:
        return value

    def replace(match: re.Match[str]) -> str:
        name, operator, operand = match.group(1), match.group(2), match.group(3) or ""
        current = env.get(name, "")
        if operator == ":=":
            return current or operand
        if operator == ":+":
            return operand if current else ""
        if name not in env:
            where = f"{source}: " if source else ""
            raise ConfigError(
                f"{where}{path or '<root>'}: environment variable {name} is not set "
                f"(write ${{env.{name}:=default}} to give it a default)"
            )
        return current

    result = _PATTERN.sub(replace, value)
    if result == "" and _PATTERN.fullmatch(value):
        return None
    return result


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
