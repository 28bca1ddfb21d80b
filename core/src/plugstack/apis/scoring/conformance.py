"""The scoring conformance suite: one set of tests every scoring provider passes.

A plugin adopts it by subclassing :class:`ScoringConformance` in its ``tests/`` folder::

    # plugins/plugstack-foo/tests/test_conformance.py
    from typing import Any
    from plugstack.testing.scoring_conformance import ScoringConformance

    class TestFooConformance(ScoringConformance):
        scoring_fn_id = "foo::exact"            # as the stack lists it
        good_row = {"expected_answer": "4", "generated_answer": "4"}
        good_score = 1.0                        # what good_row scores (None: not checked)
        missing_column = "expected_answer"      # a column of good_row the function needs
        provider_type = "inline::foo"           # checks the entry point (None: in-process plugin)
        unsupported = {"deterministic": "foo samples a judge model"}

        @classmethod
        def run_config(cls) -> dict[str, Any]:
            return {"distribution_name": "foo-scoring", "providers": {"scoring": [...]}}

Every test builds a :class:`plugstack.Stack` in library mode inside the
``plugstack_cassette`` fixture, so a function that calls an upstream (a judge model)
replays its recorded traffic; see :mod:`plugstack.testing.recording`.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest

from plugstack.apis.scoring.types import ScoringResult
from plugstack.errors import NotFoundError
from plugstack.stack import Stack
from plugstack.testing.suite import ConformanceSuite, requires

__all__ = ["FEATURES", "ScoringConformance"]

FEATURES: dict[str, str] = {
    "deterministic": "the same rows get the same scores, call after call",
    "numeric_scores": "scores are numbers, so accuracy, average and median sum them up",
}


class ScoringConformance(ConformanceSuite):
    """Base class of a scoring provider's conformance tests (see the module docstring)."""

    api = "scoring"
    features = FEATURES
    scoring_fn_id: ClassVar[str]
    good_row: ClassVar[dict[str, Any]]
    """A row the function scores without error."""
    good_score: ClassVar[object] = None
    """What ``good_row`` scores; ``None``: not checked."""
    missing_column: ClassVar[str]
    """A column of ``good_row`` the function needs: a row without it gets an error naming both."""

    async def score(
        self, stack: Stack, rows: list[dict[str, Any]], params: dict[str, Any] | None = None
    ) -> ScoringResult:
        response = await stack.scoring.score(input_rows=rows, scoring_functions={self.scoring_fn_id: params})
        assert list(response.results) == [self.scoring_fn_id]
        result = response.results[self.scoring_fn_id]
        assert isinstance(result, ScoringResult)
        assert len(result.score_rows) == len(rows), "one score row per row, in order"
        return result

    def row_without_the_column(self) -> dict[str, Any]:
        assert self.missing_column in self.good_row, "missing_column must be a column of good_row"
        return {k: v for k, v in self.good_row.items() if k != self.missing_column}

    # -- tests ----------------------------------------------------------------------------

    async def test_the_function_is_listed(self, stack: Stack) -> None:
        function = stack.scoring_functions.get(self.scoring_fn_id)
        assert function.provider_id, "a listed scoring function names the provider serving it"
        assert self.scoring_fn_id in [f.id for f in stack.scoring_functions.list()]

    async def test_a_good_row_is_scored(self, stack: Stack) -> None:
        [row] = (await self.score(stack, [self.good_row])).score_rows
        assert row.get("error") is None, f"the good row was not scored: {row.get('error')}"
        assert "score" in row and row["score"] is not None
        if self.good_score is not None:
            assert row["score"] == self.good_score

    async def test_a_row_missing_a_column_gets_its_own_error_and_the_rest_are_scored(self, stack: Stack) -> None:
        rows = [self.good_row, self.row_without_the_column(), self.good_row]
        result = await self.score(stack, rows)
        first, bad, last = result.score_rows
        assert first.get("error") is None and last.get("error") is None, "the other rows are still scored"
        assert bad["score"] is None
        assert "row 1" in bad["error"] and repr(self.missing_column) in bad["error"], bad["error"]
        assert result.aggregated_results["num_rows"] == 3
        assert result.aggregated_results["num_skipped"] == 1

    @requires("numeric_scores")
    async def test_aggregates_sum_the_scored_rows_up(self, stack: Stack) -> None:
        aggregations = {"aggregation_functions": ["accuracy", "average", "median", "categorical_count"]}
        result = await self.score(stack, [self.good_row, self.good_row], aggregations)
        [score] = {row["score"] for row in result.score_rows}
        aggregated = result.aggregated_results
        assert aggregated["average"] == pytest.approx(float(score))
        assert aggregated["median"] == pytest.approx(float(score))
        assert aggregated["num_total"] == 2 and aggregated["accuracy"] == pytest.approx(float(score))
        assert aggregated["categorical_count"] == {str(score): 2}

    @requires("deterministic")
    async def test_the_same_rows_get_the_same_scores(self, stack: Stack) -> None:
        rows = [self.good_row, self.row_without_the_column()]
        first, second = await self.score(stack, rows), await self.score(stack, rows)
        assert first.score_rows == second.score_rows

    async def test_an_unknown_function_is_a_404_naming_it(self, stack: Stack) -> None:
        with pytest.raises(NotFoundError, match="no-such-function"):
            await stack.scoring.score(input_rows=[self.good_row], scoring_functions={"no-such-function": None})
