"""The ``inline::llama-guard`` provider config, and the params a shield may set over it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from plugstack.apis.safety.types import OPENAI_MODERATION_CATEGORIES

__all__ = ["CustomCategory", "LlamaGuardConfig", "ShieldParams"]


class CustomCategory(BaseModel):
    """A category of your own policy, listed after Llama Guard 3's fourteen.

    Llama Guard 3 was trained to follow the categories its prompt lists, so a short
    ``name`` and a one-line ``description`` of what it covers are enough.
    """

    model_config = ConfigDict(extra="forbid")

    code: str | None = Field(
        default=None,
        pattern=r"^S[1-9][0-9]*$",
        description="its code in answers; default the next free S number (S15...); S1..S14 replaces that category",
    )
    name: str = Field(min_length=1)
    description: str | None = None
    openai_category: str | None = Field(
        default=None, description="the OpenAI moderation category it maps to in /v1/moderations, if any"
    )

    @field_validator("openai_category")
    @classmethod
    def _known_openai_category(cls, value: str | None) -> str | None:
        if value is not None and value not in OPENAI_MODERATION_CATEGORIES:
            raise ValueError(
                f"must be one of OpenAI's moderation categories: {', '.join(OPENAI_MODERATION_CATEGORIES)}"
            )
        return value


class _Policy(BaseModel):
    excluded_categories: list[str] = Field(
        default_factory=list, description="codes (S6) or names (Specialized Advice) left out of the prompt"
    )
    custom_categories: list[CustomCategory] = Field(default_factory=list)


class LlamaGuardConfig(_Policy):
    """The policy every shield of this provider starts from; a shield's params override it."""

    model_config = ConfigDict(extra="forbid")

    max_tokens: int = Field(
        default=20, ge=1, description="answer budget: 'unsafe' and a few codes fit; more only invites rambling"
    )

    @classmethod
    def sample_run_config(cls) -> dict[str, Any]:
        return {"excluded_categories": []}


class ShieldParams(_Policy):
    """A shield's ``params``: the guard model to ask, and its own policy.

    ``model`` is an inference model id served by the stack; without it the shield's
    ``provider_resource_id`` (``provider_shield_id`` in the run config) names the model.
    Fields left unset keep the provider config's value.
    """

    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    model: str | None = Field(default=None, min_length=1)
