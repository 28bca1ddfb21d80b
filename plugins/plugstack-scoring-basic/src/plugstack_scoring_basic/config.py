"""The ``inline::basic`` provider config (it has no settings) and the params its functions take."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["BasicScoringConfig", "ComparisonParams", "RegexParserParams"]


class BasicScoringConfig(BaseModel):
    """No settings: what each function does is set by its params."""

    model_config = ConfigDict(extra="forbid")

    @classmethod
    def sample_run_config(cls) -> dict[str, Any]:
        return {}


class ComparisonParams(BaseModel):
    """Params of ``basic::equality`` and ``basic::subset_of``."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["basic"] | None = None
    normalize: bool = Field(
        default=True,
        description="compare case-folded text with whitespace collapsed and surrounding punctuation removed",
    )


class RegexParserParams(BaseModel):
    """Params of ``basic::regex_parser_multiple_choice_answer``.

    Each of ``parsing_regexes`` is tried in turn on the generated answer; the first that
    matches gives the answer letter as its first group. Unset: the built-in ones.
    """

    model_config = ConfigDict(extra="forbid")

    type: Literal["regex_parser"] | None = None
    parsing_regexes: list[str] | None = Field(default=None, min_length=1)

    @field_validator("parsing_regexes")
    @classmethod
    def _each_compiles_with_a_group(cls, value: list[str] | None) -> list[str] | None:
        for i, pattern in enumerate(value or []):
            try:
                compiled = re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"[{i}] {pattern!r} is not a regex: {exc}") from None
            if compiled.groups < 1:
                raise ValueError(f"[{i}] {pattern!r} has no group: its first group must capture the answer")
        return value
