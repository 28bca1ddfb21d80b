"""The ``inline::profanity-classifier`` config."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ProfanityClassifierConfig"]


class ProfanityClassifierConfig(BaseModel):
    """How sure the classifier must be before a shield blocks; a shield's ``threshold`` param overrides it."""

    model_config = ConfigDict(extra="forbid")

    threshold: float = Field(
        default=0.5, gt=0.0, lt=1.0, description="block when the offensive-language probability is at least this"
    )

    @classmethod
    def sample_run_config(cls) -> dict[str, Any]:
        return {"threshold": 0.5}
