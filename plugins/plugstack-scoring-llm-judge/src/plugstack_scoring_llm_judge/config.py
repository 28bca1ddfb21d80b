"""The ``inline::llm-as-judge`` provider config, and the params a judge function takes (Llama Stack's)."""

from __future__ import annotations

import re
import string
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["DEFAULT_PROMPT_TEMPLATE", "DEFAULT_SCORE_REGEXES", "JudgeParams", "LlmJudgeConfig", "template_columns"]

DEFAULT_PROMPT_TEMPLATE = """You are grading an answer to a question against the expected answer.

Question: {input_query}
Expected answer: {expected_answer}
Answer to grade: {generated_answer}

Grade how well the answer to grade matches the expected answer, from 0 (wrong) to 10 (fully correct).
Reply with one line: "Score: " and the grade."""

DEFAULT_SCORE_REGEXES: list[str] = [
    r"(?i)score\s*(?:is|of|=|:)?\s*\**\s*(\d+(?:\.\d+)?)",  # "Score: 7", "score of **8**", "score = 6.5"
    r"^\s*(\d+(?:\.\d+)?)\s*(?:/\s*10)?\s*$",  # the whole answer is the grade: "7", "7/10"
]


class LlmJudgeConfig(BaseModel):
    """How this provider calls judge models; what to ask them is each function's params."""

    model_config = ConfigDict(extra="forbid")

    max_concurrency: int = Field(default=4, ge=1, description="rows judged at once, per score call")
    max_tokens: int = Field(default=256, ge=1, description="the judge's answer budget, unless a function sets one")

    @classmethod
    def sample_run_config(cls) -> dict[str, Any]:
        return {"max_concurrency": 4}


class JudgeParams(BaseModel):
    """A judge function's ``params``.

    ``prompt_template`` is formatted with the row's columns (``{generated_answer}``...),
    each of which every row must have; the first of ``judge_score_regexes`` that matches
    the judge's answer gives the score as its first group.
    """

    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    type: Literal["llm_as_judge"] | None = None
    judge_model: str = Field(min_length=1, description="an inference model id of this stack")
    prompt_template: str = DEFAULT_PROMPT_TEMPLATE
    judge_score_regexes: list[str] = Field(default_factory=lambda: list(DEFAULT_SCORE_REGEXES), min_length=1)
    max_tokens: int | None = Field(default=None, ge=1)
    temperature: float = Field(default=0.0, ge=0.0, le=2.0, description="0: the same row gets the same grade")
    score_range: tuple[int, int] | None = None
    """``[low, high]``: ask for ``{"score": n}`` with ``response_format`` (a JSON schema whose
    score is one of low..high) instead of parsing free text. A model whose output a grammar
    constrains (``inline::llama-cpp``) or that follows schemas (OpenAI, Groq) then always
    gives a score, where a small model's free text often has none; the regexes are unused."""

    @field_validator("score_range")
    @classmethod
    def _a_range(cls, value: tuple[int, int] | None) -> tuple[int, int] | None:
        if value is not None and not 0 <= value[0] < value[1] <= 1000:
            raise ValueError("score_range must be [low, high] with 0 <= low < high <= 1000")
        return value

    @field_validator("prompt_template")
    @classmethod
    def _names_columns(cls, value: str) -> str:
        template_columns(value)
        return value

    @field_validator("judge_score_regexes")
    @classmethod
    def _each_compiles_with_a_group(cls, value: list[str]) -> list[str]:
        for i, pattern in enumerate(value):
            try:
                compiled = re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"[{i}] {pattern!r} is not a regex: {exc}") from None
            if compiled.groups < 1:
                raise ValueError(f"[{i}] {pattern!r} has no group: its first group must capture the score")
        return value


def template_columns(template: str) -> list[str]:
    """The columns ``template`` names, in order; a ``ValueError`` for a template that cannot be formatted from a row."""
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        raise ValueError(f"is not a template: {exc} (write a literal brace as {{{{ or }}}})") from None
    bad = [name for name in fields if not name.isidentifier()]
    if bad:
        raise ValueError(f"placeholders must be column names such as {{generated_answer}}, not {{{bad[0]}}}")
    if not fields:
        raise ValueError("names no column, so every row would get the same prompt: use {generated_answer}...")
    return list(dict.fromkeys(fields))
