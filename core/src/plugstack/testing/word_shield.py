"""``inline::words``: a shield test double that blocks messages containing listed words.

It is registered in-process only (``host.register(WordShieldPlugin(), name="words")``),
never through an entry point; the real shields are the plugins under ``plugins/``. Tests
of guardrails, moderations and the shields table use it where no model may run.
"""

from __future__ import annotations

from pydantic import BaseModel

import plugstack
from plugstack.apis import Api
from plugstack.apis.inference.types import ChatMessage
from plugstack.apis.safety.types import RunShieldResponse, SafetyViolation
from plugstack.apis.shields.types import Shield
from plugstack.errors import BadRequestError
from plugstack.provider_context import ProviderContext
from plugstack.provider_spec import ProviderSpec

__all__ = ["WordShield", "WordShieldConfig", "WordShieldPlugin"]


class WordShieldConfig(BaseModel):
    blocked: list[str] = ["forbidden"]
    ask_model: str | None = None
    """When set, the shield judges what this inference model answers to the last message
    (as a guard model is asked): a test double of a shield that calls inference."""


class WordShieldPlugin:
    @plugstack.hookimpl
    def plugstack_safety_providers(self) -> list[ProviderSpec]:
        return [
            ProviderSpec(
                api=Api.safety,
                provider_type="inline::words",
                config_class="plugstack.testing.word_shield:WordShieldConfig",
                adapter_factory="plugstack.testing.word_shield:WordShield",
                optional_api_dependencies=[Api.inference],
                description="test double: blocks messages containing listed words",
            )
        ]


class WordShield:
    """Serves the shield ``words`` unregistered; a shield's ``params.blocked`` replaces the word list.

    It judges the last message only, as the safety protocol asks.
    """

    def __init__(self, config: WordShieldConfig, context: ProviderContext) -> None:
        self.config = config
        self.inference = context.get("inference")
        self.calls = 0

    async def list_shields(self) -> list[Shield]:
        return [Shield(id="words", provider_resource_id="words")]

    async def register_shield(self, shield: Shield) -> None:
        blocked = shield.params.get("blocked", [])
        if not isinstance(blocked, list) or not all(isinstance(w, str) for w in blocked):
            raise BadRequestError("params.blocked must be a list of words", param="params.blocked")

    async def run_shield(self, shield: Shield, messages: list[ChatMessage]) -> RunShieldResponse:
        self.calls += 1
        blocked = shield.params.get("blocked", self.config.blocked)
        text = str(messages[-1].content).lower()  # earlier turns are context, not judged
        if self.config.ask_model is not None:
            answer = await self.inference.chat_completion(
                model=self.config.ask_model, messages=[{"role": "user", "content": text}]
            )
            text = str(answer.choices[0].message.content).lower()
        found = [word for word in blocked if word in text]
        if not found:
            return RunShieldResponse()
        return RunShieldResponse(
            violation=SafetyViolation(
                violation_level="error",
                user_message=f"I can't talk about {found[0]}.",
                categories=["harassment"],
                metadata={"words": found},
            )
        )
