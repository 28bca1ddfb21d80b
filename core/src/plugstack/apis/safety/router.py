"""The safety router: what ``stack.safety`` is, in library and server mode alike.

It routes ``run_shield`` to the provider serving the shield (through the shields routing
table) and builds OpenAI's moderations on shields. When the run config declares
``registered_resources.guardrails``, it also installs :class:`Guardrails` on the
inference router, so that the chat completions of the models named there are checked.
"""

from __future__ import annotations

import secrets
from typing import Any

import pluggy
from pydantic import ValidationError

from plugstack.api_call import call_api
from plugstack.apis.definition import RouterContext
from plugstack.apis.inference.types import ChatMessage
from plugstack.apis.safety.guardrails import GuardrailRule, Guardrails, running_shield
from plugstack.apis.safety.types import (
    OPENAI_MODERATION_CATEGORIES,
    ModerationRequest,
    ModerationResponse,
    ModerationResult,
    RunShieldRequest,
    RunShieldResponse,
    SafetyViolation,
)
from plugstack.apis.shields.table import ShieldsTable, shields_table
from plugstack.apis.shields.types import Shield
from plugstack.errors import BadRequestError, ConfigError, NotFoundError, NotImplementedByProviderError
from plugstack.protocols import optional_method
from plugstack.validation import bad_request_from, validate_request

__all__ = ["SafetyRouter", "build_routers"]


async def build_routers(context: RouterContext) -> dict[str, object]:
    """The safety router, the shields table it routes by, and the guardrails on inference."""
    shields = shields_table(context.providers, context.kvstore)
    await shields.initialize(context.resources["shields"])
    router = SafetyRouter(shields, context.pm)
    rules = [_rule(i, raw, shields) for i, raw in enumerate(context.resources["guardrails"])]
    if rules:
        inference = context.routers.get("inference")
        if inference is None:
            raise ConfigError("registered_resources.guardrails guard chat completions: enable an inference provider")
        inference.chat_guard = Guardrails(router, rules)
    return {"safety": router, "shields": shields}


class SafetyRouter:
    def __init__(self, shields: ShieldsTable, pm: pluggy.PluginManager) -> None:
        self.shields = shields
        self.pm = pm

    async def run_shield(self, request: RunShieldRequest | None = None, /, **params: Any) -> RunShieldResponse:
        """Run one shield on a conversation: ``shield_id``, ``messages``, optional ``params``."""
        request = validate_request(RunShieldRequest, request, params)
        return await self.check(self.shields.get(request.shield_id), request.messages, request.params)

    async def check(
        self, shield: Shield, messages: list[ChatMessage], params: dict[str, Any] | None = None
    ) -> RunShieldResponse:
        """Run ``shield`` (its params overlaid with ``params``) through its provider."""
        if params:
            shield = shield.model_copy(update={"params": {**shield.params, **params}})
        provider = self.shields.provider(shield)
        with running_shield():
            response: RunShieldResponse = await call_api(
                self.pm, "safety", "run_shield", provider.run_shield, shield=shield, messages=messages
            )
        return response

    async def create_moderation(self, request: ModerationRequest | None = None, /, **params: Any) -> ModerationResponse:
        """OpenAI's moderation: one result per input string (one for a list of content parts)."""
        request = validate_request(ModerationRequest, request, params)
        shield = self.moderation_shield(request.model)
        inputs = _moderation_inputs(request.input)
        run_moderation = optional_method(self.shields.provider(shield), "run_moderation")
        if run_moderation is not None:
            texts = [_text_only(shield, message) for message in inputs]
            with running_shield():
                results: list[ModerationResult] = await call_api(
                    self.pm, "safety", "run_moderation", run_moderation, shield=shield, inputs=texts
                )
        else:
            results = [_moderation_result((await self.check(shield, [m])).violation, m) for m in inputs]
        return ModerationResponse(id=f"modr-{secrets.token_hex(12)}", model=request.model or shield.id, results=results)

    def moderation_shield(self, model: str | None) -> Shield:
        """The shield a moderation's ``model`` names: a shield id, or the model a shield runs on.

        With no ``model``, the first shield.
        """
        listed = self.shields.list()
        if model is None:
            if not listed:
                raise NotFoundError("no shield is registered to moderate with", param="model")
            return listed[0]
        found = self.shields.table.find(model) or next((s for s in listed if s.provider_resource_id == model), None)
        if found is None:
            known = ", ".join(s.id for s in listed) or "none"
            raise NotFoundError(f"shield {model!r} not found; shields: {known}", param="model", code="model_not_found")
        return found


def _rule(index: int, raw: Any, shields: ShieldsTable) -> GuardrailRule:
    try:
        rule = GuardrailRule.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"registered_resources.guardrails[{index}]: {bad_request_from(exc).message}") from None
    for shield_id in [*rule.input_shields, *rule.output_shields]:
        if shields.table.find(shield_id) is None:
            known = ", ".join(s.id for s in shields.list()) or "none"
            raise ConfigError(
                f"registered_resources.guardrails[{index}]: unknown shield {shield_id!r}; shields: {known}"
            )
    return rule


def _moderation_inputs(value: str | list[str] | list[dict[str, Any]]) -> list[ChatMessage]:
    """Each input as the user message a shield checks: a string each, or all content parts as one."""
    if isinstance(value, str):
        return [ChatMessage(role="user", content=value)]
    if not value:
        raise BadRequestError("input must not be empty", param="input")
    if all(isinstance(item, str) for item in value):
        return [ChatMessage(role="user", content=item) for item in value]  # type: ignore[arg-type]
    parts = [item for item in value if isinstance(item, dict)]
    if len(parts) == len(value):
        if any(part.get("type") not in ("text", "image_url") for part in parts):
            raise BadRequestError("input parts must be of type 'text' or 'image_url'", param="input")
        return [ChatMessage(role="user", content=parts)]
    raise BadRequestError("input must be a string, a list of strings or a list of content parts", param="input")


def _input_types(message: ChatMessage) -> list[str]:
    if isinstance(message.content, list) and any(part.get("type") == "image_url" for part in message.content):
        return ["text", "image"]
    return ["text"]


def _text_only(shield: Shield, message: ChatMessage) -> str:
    if isinstance(message.content, str):
        return message.content
    if "image" in _input_types(message):
        raise NotImplementedByProviderError(f"shield {shield.id!r} moderates text only, not images", param="input")
    return "\n".join(str(part.get("text", "")) for part in message.content or [])


def _moderation_result(violation: SafetyViolation | None, message: ChatMessage) -> ModerationResult:
    """A shield's verdict as OpenAI's moderation result: OpenAI's categories, then the shield's own."""
    categories = dict.fromkeys(OPENAI_MODERATION_CATEGORIES, False)
    scores = dict.fromkeys(OPENAI_MODERATION_CATEGORIES, 0.0)
    applied: dict[str, list[str]] = {}
    flagged = violation is not None and violation.violation_level != "info"
    if violation is not None:
        for category in violation.categories:
            categories[category] = flagged
            scores[category] = violation.category_scores.get(category, 1.0)
            applied[category] = _input_types(message)
    return ModerationResult(
        flagged=flagged, categories=categories, category_scores=scores, category_applied_input_types=applied
    )
