"""Scoring: rows scored by scoring functions (auto-routed by function id), with aggregates."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plugstack.apis.definition import ApiDefinition, lazy_reexport

if TYPE_CHECKING:
    from plugstack.apis.scoring.provider import Scoring
    from plugstack.apis.scoring.types import (
        ScoreBatchRequest,
        ScoreBatchResponse,
        ScoreRequest,
        ScoreResponse,
        ScoringResult,
    )

__all__ = [
    "API",
    "ScoreBatchRequest",
    "ScoreBatchResponse",
    "ScoreRequest",
    "ScoreResponse",
    "Scoring",
    "ScoringResult",
]

API = ApiDefinition(
    name="scoring",
    description="rows scored by scoring functions (equality, regex parsers, LLM judges), with aggregates",
    hookspecs="plugstack.apis.scoring.hookspec",
    registration_hook="plugstack_scoring_providers",
    protocol="plugstack.apis.scoring.provider:Scoring",
    optional_methods=frozenset(
        {"list_scoring_functions", "register_scoring_function", "unregister_scoring_function", "required_columns"}
    ),
    router="plugstack.apis.scoring.router:build_routers",
    routing_table="scoring_functions",
    optional_needs=("datasetio",),
    routes="plugstack.apis.scoring.routes:routes",
    resources=("scoring_functions",),
)

__getattr__ = lazy_reexport(__name__, "types", "provider")
