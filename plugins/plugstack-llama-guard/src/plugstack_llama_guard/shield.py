"""The ``inline::llama-guard`` provider: shields that ask a Llama Guard model through the stack.

The shield holds no model of its own. Each shield names an inference model the stack
already serves (a Llama Guard 3 on vLLM, Ollama, llama.cpp, a hosted API...), so the guard
runs wherever chat runs and through the same router: its calls are routed, metered and
recorded like any other chat completion.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import ValidationError

from plugstack.apis import Api
from plugstack.apis.inference.types import ChatCompletion, ChatMessage
from plugstack.apis.models.types import Models
from plugstack.apis.safety.types import RunShieldResponse
from plugstack.apis.shields.types import Shield
from plugstack.errors import BadRequestError, ConfigError, NotFoundError, ProviderError
from plugstack.provider_context import ProviderContext
from plugstack.validation import bad_request_from
from plugstack_llama_guard.config import CustomCategory, LlamaGuardConfig, ShieldParams
from plugstack_llama_guard.prompt import Category, active_categories, build_prompt, category_table
from plugstack_llama_guard.verdict import UnparseableVerdict, parse_verdict, to_violation

__all__ = ["ChatRouter", "LlamaGuardShield", "Policy", "create_provider"]

log = logging.getLogger("plugstack.safety.llama_guard")

_ANSWER_QUOTE = 200  # characters of an unparseable answer quoted in the error


class ChatRouter(Protocol):
    """What the shield needs of the inference router: one chat completion, routed by model id."""

    async def chat_completion(self, request: Any = None, /, **params: Any) -> Any: ...


def create_provider(config: LlamaGuardConfig, context: ProviderContext) -> LlamaGuardShield:
    """The provider; a config whose policy leaves nothing to check or names unknown categories is refused."""
    table = category_table(_category(c) for c in config.custom_categories)
    try:
        active_categories(table, config.excluded_categories)
    except BadRequestError as exc:
        raise ConfigError(f"provider {context.provider_id!r} (inline::llama-guard): config: {exc.message}") from None
    return LlamaGuardShield(
        config, inference=context[Api.inference], models=context[Api.models], provider_id=context.provider_id
    )


@dataclass(frozen=True)
class Policy:
    """One shield's resolved settings: which model to ask, what the prompt lists, what it left out."""

    model: str
    categories: list[Category]
    excluded_codes: frozenset[str]


class LlamaGuardShield:
    """Implements :class:`plugstack.apis.safety.Safety` by asking a Llama Guard model.

    ``inference`` is the stack's inference router (what ``stack.inference`` is) and
    ``models`` its routing table; ``provider_id`` names this provider in errors.
    """

    def __init__(self, config: LlamaGuardConfig, *, inference: ChatRouter, models: Models, provider_id: str) -> None:
        self.config = config
        self.inference = inference
        self.models = models
        self.provider_id = provider_id

    async def register_shield(self, shield: Shield) -> None:
        """Refuse (400) a shield whose params are malformed or whose model the stack does not serve."""
        policy = self.policy(shield)
        try:
            model = await self.models.get_model(policy.model)
        except NotFoundError:
            listed = sorted(m.id for m in (await self.models.list_models()).data if m.model_type == "llm")
            raise BadRequestError(
                f"shield {shield.id!r}: guard model {policy.model!r} is not served by this stack "
                f"(set provider_shield_id or params.model to one of its models: {', '.join(listed) or 'none'})",
                param="provider_shield_id",
            ) from None
        if model.model_type != "llm":
            raise BadRequestError(
                f"shield {shield.id!r}: guard model {policy.model!r} is an embedding model; Llama Guard is a chat model",
                param="provider_shield_id",
            )

    async def run_shield(self, shield: Shield, messages: list[ChatMessage]) -> RunShieldResponse:
        """Ask the guard model about the last turn of ``messages``; raise if its answer says nothing clear."""
        policy = self.policy(shield)
        prompt = build_prompt(messages, policy.categories)
        try:
            completion = await self.inference.chat_completion(
                model=policy.model,
                messages=[{"role": "user", "content": prompt}],
                temperature=0,
                max_tokens=self.config.max_tokens,
            )
        except NotFoundError as exc:  # unregistered since: the caller cannot fix it
            raise ProviderError(
                f"shield {shield.id!r} cannot run: {exc.message}", provider_id=self.provider_id, status_code=503
            ) from None
        answer = _answer(completion)
        try:
            verdict = parse_verdict(answer)
        except UnparseableVerdict as exc:
            log.warning("provider %r: shield %r: unparseable answer of %r", self.provider_id, shield.id, policy.model)
            raise ProviderError(
                f"shield {shield.id!r}: guard model {policy.model!r} did not answer in the Llama Guard format "
                f"({exc.why}), so the shield cannot decide; answer: {exc.answer[:_ANSWER_QUOTE]!r}",
                provider_id=self.provider_id,
                code="unparseable_guard_answer",
            ) from None
        violation = to_violation(verdict, policy.categories, excluded_codes=policy.excluded_codes)
        if violation is not None:
            violation.metadata["model"] = policy.model
        return RunShieldResponse(violation=violation)

    def policy(self, shield: Shield) -> Policy:
        """The shield's params over this provider's config; a 400 naming the field if malformed."""
        try:
            params = ShieldParams.model_validate(shield.params)
        except ValidationError as exc:
            error = bad_request_from(exc)
            raise BadRequestError(
                f"shield {shield.id!r}: params: {error.message.removeprefix('invalid request: ')}",
                param=f"params.{error.param}" if error.param else "params",
            ) from None
        custom: list[CustomCategory] = (
            params.custom_categories
            if "custom_categories" in params.model_fields_set
            else self.config.custom_categories
        )
        excluded = (
            params.excluded_categories
            if "excluded_categories" in params.model_fields_set
            else self.config.excluded_categories
        )
        table = category_table(_category(c) for c in custom)
        try:
            active = active_categories(table, excluded)
        except BadRequestError as exc:
            where = "params." if "excluded_categories" in params.model_fields_set else ""
            raise BadRequestError(f"shield {shield.id!r}: {where}{exc.message}", param=f"{where}{exc.param}") from None
        model = params.model or shield.provider_resource_id or shield.id
        return Policy(model, active, frozenset(c.code for c in table) - {c.code for c in active})


def _category(custom: CustomCategory) -> Category:
    return Category(custom.code or "", custom.name, custom.description, custom.openai_category)


def _answer(completion: object) -> str | None:
    if not isinstance(completion, ChatCompletion) or not completion.choices:
        return None
    return completion.choices[0].message.content
