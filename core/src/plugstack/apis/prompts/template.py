"""Prompt templates: ``{{ name }}`` placeholders and nothing else.

A placeholder is a name (letters, digits and underscores, not starting with a digit)
between double braces, with optional whitespace inside: ``{{name}}``, ``{{ name }}``.
There are no expressions, filters, loops or escapes: templates are text that any API
client may store, so rendering one must never evaluate anything. Any other text, even a
``{{`` around something that is not a name, stays as written. Substitution is a single
pass, so a value that itself contains ``{{ x }}`` is inserted verbatim, never expanded.

The variables a prompt declares are exactly the placeholders its template uses: a
placeholder left undeclared and a declared variable the template never uses are both a
400, so a typo on either side is caught when the prompt is saved, not when it is used.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from plugstack.errors import BadRequestError

__all__ = ["VariableValue", "check_variables", "placeholders", "render_template"]

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

VariableValue = str | Mapping[str, object]
"""A variable's value: a string, or OpenAI's ``{"type": "input_text", "text": ...}`` content part."""


def placeholders(template: str) -> list[str]:
    """The names the template's placeholders use, each once, in order of first use."""
    return list(dict.fromkeys(match.group(1) for match in _PLACEHOLDER.finditer(template)))


def check_variables(template: str, declared: Sequence[str] | None) -> list[str]:
    """The prompt's variables: ``declared`` (duplicates dropped), or the placeholders when ``None``.

    A 400 naming the variable when ``declared`` has a name that is no valid placeholder
    name, leaves out a placeholder the template uses, or lists one it does not use.
    """
    used = placeholders(template)
    if declared is None:
        return used
    variables = list(dict.fromkeys(declared))
    for name in variables:
        if not _NAME.fullmatch(name):
            raise BadRequestError(
                f"variables: {name!r} is not a valid variable name (letters, digits and underscores, "
                "not starting with a digit)",
                param="variables",
            )
    undeclared = [name for name in used if name not in variables]
    if undeclared:
        raise BadRequestError(
            f"variables: the prompt uses {_names(undeclared)} but does not declare "
            f"{'it' if len(undeclared) == 1 else 'them'}: add {_names(undeclared)} to variables",
            param="variables",
        )
    unused = [name for name in variables if name not in used]
    if unused:
        raise BadRequestError(
            f"variables: {_names(unused)} {'is' if len(unused) == 1 else 'are'} declared but the prompt has no "
            f"{{{{ {unused[0]} }}}} placeholder: remove it from variables or use it in the prompt",
            param="variables",
        )
    return variables


def render_template(template: str, declared: Sequence[str], values: Mapping[str, VariableValue]) -> str:
    """The template with each placeholder replaced by its value.

    Every declared variable needs a value and every value a declared variable: a 400
    naming the variable otherwise, or naming one whose value is not text.
    """
    unknown = [name for name in values if name not in declared]
    if unknown:
        known = f"it declares {_names(declared)}" if declared else "it declares no variables"
        raise BadRequestError(f"variables: unknown variable {_names(unknown)}: {known}", param="variables")
    missing = [name for name in declared if name not in values]
    if missing:
        raise BadRequestError(f"variables: no value for {_names(missing)}", param="variables")
    texts = {name: _text(name, value) for name, value in values.items()}
    return _PLACEHOLDER.sub(lambda match: texts[match.group(1)], template)


def _text(name: str, value: VariableValue) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and value.get("type") == "input_text" and isinstance(value.get("text"), str):
        return str(value["text"])
    kind = value.get("type") if isinstance(value, Mapping) else type(value).__name__
    raise BadRequestError(
        f"variables.{name}: a prompt variable must be a string or an input_text part, got {kind!r}",
        param=f"variables.{name}",
    )


def _names(names: Sequence[str]) -> str:
    return ", ".join(repr(name) for name in names)
