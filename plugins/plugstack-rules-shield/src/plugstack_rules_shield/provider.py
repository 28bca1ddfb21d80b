"""The ``inline::rules`` provider: runs a shield's compiled rules on messages and moderations.

Rules are compiled once per distinct set of params (the provider's defaults at start-up,
each registered shield's params at registration, a call's own params at their first use)
and kept, so a check is a dictionary lookup and one regex scan per message. Nothing here
awaits: the work is microseconds, too little to be worth a worker thread.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from pydantic import ValidationError

from plugstack.apis.inference.types import ChatMessage
from plugstack.apis.safety.types import (
    OPENAI_MODERATION_CATEGORIES,
    ModerationResult,
    RunShieldResponse,
    SafetyViolation,
)
from plugstack.apis.shields.types import Shield
from plugstack.errors import BadRequestError
from plugstack.provider_context import ProviderContext
from plugstack_rules_shield.config import RulesShieldConfig, ShieldParams
from plugstack_rules_shield.rules import Found, RuleSet

__all__ = ["CompiledShield", "RulesShield", "create_provider"]

MAX_REPORTED_MATCHES = 100
"""Matches listed in a violation's metadata; the count says how many there were in all."""
_CACHE_SIZE = 256
_NOT_FLAGGED = dict.fromkeys(OPENAI_MODERATION_CATEGORIES, False)


def create_provider(config: RulesShieldConfig, context: ProviderContext) -> RulesShield:
    return RulesShield(config, provider_id=context.provider_id)


class CompiledShield:
    """A shield's effective settings: the provider's config with its params laid over it."""

    def __init__(self, config: RulesShieldConfig, params: ShieldParams) -> None:
        keywords = params.blocked_keywords or []
        patterns = params.blocked_patterns or []
        if params.inherit:
            keywords = [*config.blocked_keywords, *keywords]
            patterns = [*config.blocked_patterns, *patterns]
        pii = config.pii if params.pii is None else params.pii
        self.rules = RuleSet(keywords, patterns, pii)
        self.violation_level = params.violation_level or config.violation_level
        self.roles = frozenset(params.check_roles or config.check_roles)
        self.scope = params.scope or config.scope
        own = self.rules.categories
        self.clean_categories: dict[str, bool] = {**_NOT_FLAGGED, **dict.fromkeys(own, False)}
        self.clean_scores: dict[str, float] = dict.fromkeys(self.clean_categories, 0.0)
        self.user_message = params.user_message if params.user_message is not None else config.user_message


class RulesShield:
    """``provider_id`` is the provider's id in the run config; its errors name it."""

    def __init__(self, config: RulesShieldConfig, *, provider_id: str = "rules") -> None:
        self.config = config
        self.provider_id = provider_id
        self.default = CompiledShield(config, ShieldParams())
        self._compiled: dict[Hashable, CompiledShield] = {}

    async def list_shields(self) -> list[Shield]:
        if not self.config.shield_id:
            return []
        return [Shield(id=self.config.shield_id, provider_resource_id=self.config.shield_id)]

    async def register_shield(self, shield: Shield) -> None:
        """Refuse bad params now (a 400 naming the param), and compile good ones for later calls."""
        self.compiled(shield)

    async def health(self) -> dict[str, Any]:
        return {"status": "OK", "categories": list(self.default.rules.categories)}

    def compiled(self, shield: Shield) -> CompiledShield:
        """The compiled rules of ``shield``'s params, compiled at their first use."""
        params = shield.params
        if not params:
            return self.default
        key = _freeze(params)
        if key is not None:
            cached = self._compiled.get(key)
            if cached is not None:
                return cached
        try:
            parsed = ShieldParams.model_validate(params)
        except ValidationError as exc:
            raise _bad_params(self.provider_id, shield, exc) from None
        compiled = CompiledShield(self.config, parsed)
        if key is not None:
            if len(self._compiled) >= _CACHE_SIZE:
                self._compiled.pop(next(iter(self._compiled)))
            self._compiled[key] = compiled
        return compiled

    async def run_shield(self, shield: Shield, messages: list[ChatMessage]) -> RunShieldResponse:
        compiled = self.compiled(shield)
        scan = compiled.rules.scan
        matches: list[tuple[int, Found]] = []
        for index in _checked(messages, compiled):
            text = _text(messages[index].content)
            if text:
                matches.extend((index, found) for found in scan(text))
        if not matches:
            return RunShieldResponse()
        categories = list(dict.fromkeys(found.category for _, found in matches))
        reported = [
            {"category": f.category, "message_index": i, "start": f.start, "end": f.end}
            | ({} if f.rule is None else {"rule_index": f.rule})
            for i, f in matches[:MAX_REPORTED_MATCHES]
        ]
        reasons = ", ".join(dict.fromkeys(compiled.rules.descriptions[c] for c in categories))
        return RunShieldResponse(
            violation=SafetyViolation(
                violation_level=compiled.violation_level,
                user_message=compiled.user_message.format(
                    reasons=reasons, categories=", ".join(categories), shield_id=shield.id
                ),
                categories=categories,
                category_scores=dict.fromkeys(categories, 1.0),
                metadata={"shield_id": shield.id, "match_count": len(matches), "matches": reported},
            )
        )

    async def run_moderation(self, shield: Shield, inputs: list[str]) -> list[ModerationResult]:
        """One result per input; OpenAI's categories are listed (never flagged) beside the rules' own.

        Results are built with ``model_construct``: their values are made here, not parsed,
        and validating a seventeen-key result costs more than the scan itself.
        """
        compiled = self.compiled(shield)
        own = compiled.rules.categories
        results = []
        for text in inputs:
            hits = {found.category for found in compiled.rules.scan(text)}
            categories = {**compiled.clean_categories, **{c: True for c in hits}}
            results.append(
                ModerationResult.model_construct(
                    flagged=bool(hits) and compiled.violation_level != "info",
                    categories=categories,
                    category_scores={**compiled.clean_scores, **{c: 1.0 for c in hits}},
                    category_applied_input_types={c: [] if c not in own else ["text"] for c in categories},
                )
            )
        return results


def _checked(messages: list[ChatMessage], compiled: CompiledShield) -> list[int]:
    """The indexes of the messages to check: of the roles checked, all of them or the last."""
    roles = compiled.roles
    if compiled.scope == "all":
        return [i for i, message in enumerate(messages) if message.role in roles]
    for i in range(len(messages) - 1, -1, -1):
        if messages[i].role in roles:
            return [i]
    return []


def _text(content: str | list[dict[str, Any]] | None) -> str:
    """A message's text: its string, or its text parts joined by newlines (offsets refer to this)."""
    if content is None or isinstance(content, str):
        return content or ""
    return "\n".join(str(part.get("text", "")) for part in content if part.get("type") == "text")


def _freeze(params: Mapping[str, Any]) -> Hashable | None:
    """A hashable key of a shield's params (lists become tuples); ``None`` if they cannot be one."""
    try:
        key = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))
        hash(key)
    except TypeError:
        return None
    return key


def _bad_params(provider_id: str, shield: Shield, exc: ValidationError) -> BadRequestError:
    """A 400 naming the first bad param, as ``params.<key>``, and the value it got if short."""
    error = exc.errors(include_url=False)[0]
    loc = error["loc"] or ("params",)
    key = str(loc[0])
    where = key + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc[1:])
    if error["type"] == "extra_forbidden":
        message = f"unknown param {key!r} (known: {', '.join(ShieldParams.model_fields)})"
    else:
        message = error["msg"].removeprefix("Value error, ")
        value = error.get("input")
        if isinstance(value, str | int | float) and error["type"] != "value_error" and len(repr(value)) <= 60:
            message += f" (got {value!r})"
    return BadRequestError(
        f"provider {provider_id!r}, shield {shield.id!r}: params.{where}: {message}", param=f"params.{key}"
    )
