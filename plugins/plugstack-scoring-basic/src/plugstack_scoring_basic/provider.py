"""The ``inline::basic`` provider: the built-in rule-based scoring functions, by id.

Each function reads ``expected_answer`` and ``generated_answer`` (the router gives rows
lacking either an error naming the row); a function registered under another id names
the built-in it runs as its ``provider_scoring_fn_id``, with params of its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from plugstack.apis.scoring.types import ScoringResult
from plugstack.apis.scoring_functions.types import ScoringFn
from plugstack.errors import BadRequestError
from plugstack.provider_context import ProviderContext
from plugstack.validation import bad_request_from
from plugstack_scoring_basic.config import BasicScoringConfig, ComparisonParams, RegexParserParams
from plugstack_scoring_basic.functions import MULTIPLE_CHOICE_REGEXES, choice_letter, equality, parse_choice, subset_of

__all__ = ["BUILT_IN", "BasicScoring", "create_provider"]

EQUALITY = "basic::equality"
SUBSET_OF = "basic::subset_of"
MULTIPLE_CHOICE = "basic::regex_parser_multiple_choice_answer"
COLUMNS = ["expected_answer", "generated_answer"]

BUILT_IN: dict[str, str] = {
    EQUALITY: "1 when generated_answer equals expected_answer (normalised text), else 0",
    SUBSET_OF: "1 when expected_answer is part of generated_answer (a substring; lists: every item), else 0",
    MULTIPLE_CHOICE: "1 when the option letter parsed from generated_answer ('Answer: B') is expected_answer, else 0",
}

ParamsT = TypeVar("ParamsT", bound=BaseModel)
ScoreRow = dict[str, Any]


def create_provider(config: BasicScoringConfig, context: ProviderContext) -> BasicScoring:
    return BasicScoring()


class BasicScoring:
    """Implements :class:`plugstack.apis.scoring.Scoring` with rules, no model."""

    async def list_scoring_functions(self) -> list[ScoringFn]:
        return [
            ScoringFn(id=fn_id, provider_resource_id=fn_id, description=text, aggregation_functions=["accuracy"])
            for fn_id, text in BUILT_IN.items()
        ]

    async def register_scoring_function(self, function: ScoringFn) -> None:
        """Refuse (400) a function naming no built-in, or whose params that built-in does not take."""
        self._scorer(function)

    def required_columns(self, function: ScoringFn) -> list[str]:
        return COLUMNS

    async def score(self, function: ScoringFn, rows: list[dict[str, Any]]) -> ScoringResult:
        scorer = self._scorer(function)
        return ScoringResult(score_rows=[scorer(row) for row in rows])

    def _scorer(self, function: ScoringFn) -> Callable[[dict[str, Any]], ScoreRow]:
        """The per-row scorer of ``function``, its params checked once for all rows."""
        kind = function.provider_resource_id
        if kind in (EQUALITY, SUBSET_OF):
            fold = _params(ComparisonParams, function).normalize
            compare = equality if kind == EQUALITY else subset_of
            return lambda row: {"score": compare(row["expected_answer"], row["generated_answer"], fold=fold)}
        if kind == MULTIPLE_CHOICE:
            patterns = _params(RegexParserParams, function).parsing_regexes or MULTIPLE_CHOICE_REGEXES
            regexes = [re.compile(pattern) for pattern in patterns]

            def score_choice(row: dict[str, Any]) -> ScoreRow:
                parsed = parse_choice(row["generated_answer"], regexes)
                correct = parsed is not None and parsed == choice_letter(row["expected_answer"])
                return {"score": 1.0 if correct else 0.0, "parsed_answer": parsed}

            return score_choice
        raise BadRequestError(
            f"inline::basic has no scoring function {kind!r}; provider_scoring_fn_id must be one of "
            f"{', '.join(BUILT_IN)}",
            param="provider_scoring_fn_id",
        )


def _params(model: type[ParamsT], function: ScoringFn) -> ParamsT:
    """``function.params`` as ``model``; a 400 naming ``params.<field>`` if they do not fit."""
    try:
        return model.model_validate(function.params)
    except ValidationError as exc:
        error = bad_request_from(exc)
        message = error.message.removeprefix("invalid request: ")
        raise BadRequestError(
            f"invalid params for {function.provider_resource_id}: {message}", param=f"params.{error.param}"
        ) from None
