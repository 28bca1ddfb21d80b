"""Scoring functions: the routing table that maps a scoring function id to the scoring provider serving it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plugstack.apis.definition import ApiDefinition, lazy_reexport

if TYPE_CHECKING:
    from plugstack.apis.scoring_functions.types import (
        AGGREGATION_FUNCTIONS,
        AggregationFunction,
        RegisterScoringFunctionRequest,
        ReturnType,
        ScoringFn,
        ScoringFnList,
    )

__all__ = [
    "AGGREGATION_FUNCTIONS",
    "API",
    "AggregationFunction",
    "RegisterScoringFunctionRequest",
    "ReturnType",
    "ScoringFn",
    "ScoringFnList",
]

API = ApiDefinition(
    name="scoring_functions",
    description="routing table of scoring functions: register, list, get, unregister",
    table_of="scoring",
    routes="plugstack.apis.scoring_functions.routes:routes",
)

__getattr__ = lazy_reexport(__name__, "types")
