"""Scoring functions: the routing table that maps a scoring function id to the scoring provider serving it.

The shape is Llama Stack's: a function has a ``return_type``, provider-specific
``params`` (``judge_model``, ``prompt_template`` and ``judge_score_regexes`` for an LLM
judge, ``parsing_regexes`` for a regex parser) and the ``aggregation_functions`` that sum
its per-row scores up.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AGGREGATION_FUNCTIONS",
    "AggregationFunction",
    "RegisterScoringFunctionRequest",
    "ReturnType",
    "ScoringFn",
    "ScoringFnList",
]

AggregationFunction = Literal["accuracy", "average", "weighted_average", "median", "categorical_count"]
AGGREGATION_FUNCTIONS: tuple[str, ...] = ("accuracy", "average", "weighted_average", "median", "categorical_count")


class ReturnType(BaseModel):
    """What one row's ``score`` is (Llama Stack's ``ParamType``): a number unless said otherwise."""

    model_config = ConfigDict(extra="allow")

    type: Literal["number", "string", "boolean", "array", "object", "json"] = "number"


class ScoringFn(BaseModel):
    """A scoring function as ``GET /v1/scoring-functions`` lists it: an id served by one scoring provider."""

    model_config = ConfigDict(extra="allow")

    id: str
    object: Literal["scoring_function"] = "scoring_function"
    provider_id: str = ""
    provider_resource_id: str = ""
    description: str | None = None
    return_type: ReturnType = Field(default_factory=ReturnType)
    params: dict[str, Any] = Field(default_factory=dict)
    aggregation_functions: list[AggregationFunction] = Field(default_factory=list)


class ScoringFnList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ScoringFn]


class RegisterScoringFunctionRequest(BaseModel):
    """``POST /v1/scoring-functions``: serve ``provider_scoring_fn_id`` of ``provider_id`` as ``scoring_fn_id``.

    Registering is how a built-in function gets params of its own: a regex parser with
    your ``parsing_regexes``, an LLM judge with its ``judge_model`` and prompt.
    """

    model_config = ConfigDict(extra="forbid")

    scoring_fn_id: str = Field(min_length=1)
    provider_id: str | None = None
    provider_scoring_fn_id: str | None = None
    description: str | None = None
    return_type: ReturnType = Field(default_factory=ReturnType)
    params: dict[str, Any] = Field(default_factory=dict)
    aggregation_functions: list[AggregationFunction] = Field(default_factory=list)
