"""Scoring's types: rows in, per-row scores and their aggregates out (Llama Stack's shapes).

A score row is a plain dict: ``score`` (``None`` when the row could not be scored) plus
whatever the function adds (``judge_feedback``, ``parsed_answer``...). A row that could
not be scored carries ``error``, a message naming the row; the other rows are scored.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ScoreBatchRequest", "ScoreBatchResponse", "ScoreRequest", "ScoreResponse", "ScoringResult"]

ScoringFunctionParams = dict[str, dict[str, Any] | None]
"""Function id -> params laid over the function's own for this call (``null``: its own)."""


class ScoreRequest(BaseModel):
    """``POST /v1/scoring/score``: score ``input_rows`` with each function of ``scoring_functions``."""

    model_config = ConfigDict(extra="forbid")

    input_rows: list[dict[str, Any]] = Field(min_length=1)
    scoring_functions: ScoringFunctionParams = Field(min_length=1)


class ScoreBatchRequest(BaseModel):
    """``POST /v1/scoring/score-batch``: score every row of a dataset read through datasetio."""

    model_config = ConfigDict(extra="forbid")

    dataset_id: str = Field(min_length=1)
    scoring_functions: ScoringFunctionParams = Field(min_length=1)
    save_results_dataset: bool = False


class ScoringResult(BaseModel):
    """One function's result: a score row per input row, in order, and what sums them up."""

    score_rows: list[dict[str, Any]]
    aggregated_results: dict[str, Any] = Field(default_factory=dict)


class ScoreResponse(BaseModel):
    results: dict[str, ScoringResult]


class ScoreBatchResponse(BaseModel):
    dataset_id: str | None = None
    results: dict[str, ScoringResult]
