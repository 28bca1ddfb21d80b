"""Configuration of ``inline::rules``: the provider's defaults, and the params a shield may set.

:class:`RulesShieldConfig` (the run config's ``config:`` block) sets the rules every shield
of the provider starts from. A shield's ``params`` (:class:`ShieldParams`) choose among
them or add to them: ``pii``, ``violation_level``, ``check_roles`` and ``user_message``
replace the provider's value; ``blocked_keywords`` and ``blocked_patterns`` are added to the
provider's lists (``inherit: false`` drops the provider's lists instead). Regexes are
compiled here, when the config or the params are validated, so that a bad one is refused
at start-up or at registration, never at the first message.
"""

from __future__ import annotations

import re
import string
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "DEFAULT_USER_MESSAGE",
    "PiiKind",
    "Role",
    "RulesShieldConfig",
    "Scope",
    "ShieldParams",
    "ViolationLevel",
]

PiiKind = Literal["email", "phone", "credit_card", "ssn", "ipv4"]
Role = Literal["system", "developer", "user", "assistant", "tool", "function"]
ViolationLevel = Literal["info", "warn", "error"]
Scope = Literal["last", "all"]

DEFAULT_PII: tuple[PiiKind, ...] = ("email", "phone", "credit_card", "ssn")
"""IPv4 is left out: version numbers (1.2.3.4) and documentation addresses look alike."""
DEFAULT_ROLES: tuple[Role, ...] = ("user", "assistant")
DEFAULT_USER_MESSAGE = "This message was blocked: it contains {reasons}."
TEMPLATE_FIELDS = frozenset({"reasons", "categories", "shield_id"})
"""What a ``user_message`` may name: human reasons, category ids, the shield's id."""


def check_keywords(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    for i, word in enumerate(value):
        if not word.strip():
            raise ValueError(f"blocked_keywords[{i}] is empty")
    return value


def check_patterns(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    for i, pattern in enumerate(value):
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"blocked_patterns[{i}] {pattern!r} is not a valid regex: {exc}") from None
        if compiled.search("") is not None:
            raise ValueError(f"blocked_patterns[{i}] {pattern!r} matches the empty string, so it would block anything")
    return value


def check_template(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(value) if name is not None]
        unknown = sorted(set(fields) - TEMPLATE_FIELDS)
        if unknown:
            raise ValueError(f"user_message names unknown fields {unknown}; known: {sorted(TEMPLATE_FIELDS)}")
        value.format(reasons="r", categories="c", shield_id="s")
    except (ValueError, IndexError, KeyError) as exc:
        message = str(exc)
        raise ValueError(message if message.startswith("user_message") else f"user_message: {message}") from None
    return value


class RulesShieldConfig(BaseModel):
    """The provider's defaults; see the README for each field.

    ``shield_id`` names the shield served without registration (``None`` or empty: none,
    only shields registered in ``registered_resources.shields`` or through the API).

    ``scope`` says which messages are checked: ``"last"``, the last message whose role is
    in ``check_roles`` (earlier turns are context, checked when they were new; this is what
    output guardrails need, or a user's own email in turn one would block every answer);
    ``"all"``, every message of those roles (a client can rewrite the history it sends).
    """

    model_config = ConfigDict(extra="forbid")

    shield_id: str | None = "rules"
    blocked_keywords: list[str] = Field(default_factory=list)
    blocked_patterns: list[str] = Field(default_factory=list)
    pii: list[PiiKind] = Field(default_factory=lambda: list(DEFAULT_PII))
    violation_level: ViolationLevel = "error"
    check_roles: list[Role] = Field(default_factory=lambda: list(DEFAULT_ROLES), min_length=1)
    scope: Scope = "last"
    user_message: str = DEFAULT_USER_MESSAGE

    _keywords = field_validator("blocked_keywords")(check_keywords)
    _patterns = field_validator("blocked_patterns")(check_patterns)
    _template = field_validator("user_message")(check_template)

    @classmethod
    def sample_run_config(cls) -> dict[str, Any]:
        return {"shield_id": "rules", "pii": ["email", "phone", "credit_card", "ssn"], "blocked_keywords": []}


class ShieldParams(BaseModel):
    """A shield's ``params``: each field left out keeps the provider's value."""

    model_config = ConfigDict(extra="forbid")

    blocked_keywords: list[str] | None = None
    blocked_patterns: list[str] | None = None
    inherit: bool = True
    """``False``: the shield's keywords and patterns replace the provider's instead of adding to them."""
    pii: list[PiiKind] | None = None
    violation_level: ViolationLevel | None = None
    check_roles: list[Role] | None = Field(default=None, min_length=1)
    scope: Scope | None = None
    user_message: str | None = None

    _keywords = field_validator("blocked_keywords")(check_keywords)
    _patterns = field_validator("blocked_patterns")(check_patterns)
    _template = field_validator("user_message")(check_template)
