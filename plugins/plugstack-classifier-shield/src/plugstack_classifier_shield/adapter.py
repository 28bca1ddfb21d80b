"""The ``inline::profanity-classifier`` shield: a small offensive-language classifier on CPU.

It judges the conversation's last message (the Safety protocol: earlier turns are
context), scoring its text with the model of :mod:`plugstack_classifier_shield.model` in a
thread, so the event loop never waits on scikit-learn.

The one category is OpenAI's ``harassment``. The model was trained to tell offensive and
profane language (insults, slurs, obscenity) from the rest, without knowing whom it
targets: that is OpenAI's "harassing language towards any target", while ``hate`` needs
a protected group as the target, which the classifier cannot tell, and the other
categories (violence, sexual, self-harm, illicit) are about subjects, not wording.
"""

from __future__ import annotations

import asyncio
from typing import Any

from plugstack.apis.inference.types import ChatMessage
from plugstack.apis.safety.types import (
    OPENAI_MODERATION_CATEGORIES,
    ModerationResult,
    RunShieldResponse,
    SafetyViolation,
)
from plugstack.apis.shields.types import Shield
from plugstack.errors import BadRequestError, NotImplementedByProviderError
from plugstack.provider_context import ProviderContext
from plugstack_classifier_shield.config import ProfanityClassifierConfig
from plugstack_classifier_shield.model import ProfanityModel, load

__all__ = ["CATEGORY", "ProfanityClassifierShield", "create_provider"]

CATEGORY = "harassment"
_PARAMS = frozenset({"threshold"})


async def create_provider(config: ProfanityClassifierConfig, context: ProviderContext) -> ProfanityClassifierShield:
    provider = ProfanityClassifierShield(config, provider_id=context.provider_id)
    await provider.initialize()
    return provider


class ProfanityClassifierShield:
    """Implements :class:`plugstack.apis.safety.Safety` with alt-profanity-check's model."""

    def __init__(self, config: ProfanityClassifierConfig, *, provider_id: str = "profanity-classifier") -> None:
        self.config = config
        self.provider_id = provider_id
        self.model: ProfanityModel | None = None

    async def initialize(self) -> None:
        """Unpickle the model off the loop: it takes seconds on a cold start."""
        self.model = await asyncio.to_thread(load)

    async def register_shield(self, shield: Shield) -> None:
        """Refuse unknown params and a threshold outside (0, 1) when the shield is registered."""
        self.threshold(shield)

    def threshold(self, shield: Shield) -> float:
        """The shield's ``threshold`` param, else the config's."""
        unknown = sorted(set(shield.params) - _PARAMS)
        if unknown:
            raise BadRequestError(
                f"shield {shield.id!r}: unknown params {unknown}; {self.provider_id!r} takes {sorted(_PARAMS)}",
                param="params",
            )
        raw = shield.params.get("threshold", self.config.threshold)
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0.0 < float(raw) < 1.0:
            raise BadRequestError(
                f"shield {shield.id!r}: threshold must be a number between 0 and 1 (exclusive), not {raw!r}",
                param="params.threshold",
            )
        return float(raw)

    async def scores(self, texts: list[str]) -> list[float]:
        """Each text's offensive-language probability, computed in a thread."""
        model = self.model
        if model is None:
            raise RuntimeError("the provider was not initialized")
        return await asyncio.to_thread(model.scores, texts)

    async def run_shield(self, shield: Shield, messages: list[ChatMessage]) -> RunShieldResponse:
        threshold = self.threshold(shield)
        text = _text_of(messages[-1]) if messages else ""
        if not text.strip():
            return RunShieldResponse()  # nothing to classify
        [score] = await self.scores([text])
        if score < threshold:
            return RunShieldResponse()
        assert self.model is not None
        return RunShieldResponse(
            violation=SafetyViolation(
                violation_level="error",
                user_message="The message was classified as offensive language.",
                categories=[CATEGORY],
                category_scores={CATEGORY: score},
                metadata={"model": self.model.name, "score": score, "threshold": threshold},
            )
        )

    async def run_moderation(self, shield: Shield, inputs: list[str]) -> list[ModerationResult]:
        """One result per input, all scored in one batch; ``harassment`` holds the model's probability."""
        threshold = self.threshold(shield)
        scores = await self.scores(inputs)
        return [_moderation_result(score, threshold) for score in scores]


def _moderation_result(score: float, threshold: float) -> ModerationResult:
    flagged = score >= threshold
    categories = dict.fromkeys(OPENAI_MODERATION_CATEGORIES, False)
    scores = dict.fromkeys(OPENAI_MODERATION_CATEGORIES, 0.0)
    categories[CATEGORY] = flagged
    scores[CATEGORY] = score
    applied: dict[str, list[str]] = {CATEGORY: ["text"]} if flagged else {}
    return ModerationResult(
        flagged=flagged, categories=categories, category_scores=scores, category_applied_input_types=applied
    )


def _text_of(message: ChatMessage) -> str:
    """The message's text: its text parts (an image would go unjudged, so it is refused)."""
    parts: list[Any] = [message.content] if isinstance(message.content, str) else list(message.content or [])
    texts: list[str] = []
    for part in parts:
        if isinstance(part, str):
            texts.append(part)
        elif part.get("type") == "text":
            texts.append(str(part.get("text") or ""))
        else:
            raise NotImplementedByProviderError(
                f"inline::profanity-classifier classifies text, not content parts of type {part.get('type')!r}",
                param="messages",
            )
    for call in message.tool_calls or []:
        arguments = (call.get("function") or {}).get("arguments")
        if isinstance(arguments, str):
            texts.append(arguments)
    return "\n".join(texts)
