"""Aggregation functions: what sums a function's score rows up (Llama Stack's five, plus counts).

The router computes them, so every provider gets the same ones for free. Rows that carry
an ``error`` were not scored: they are left out of every aggregate and counted in
``num_skipped``, so that an accuracy over 98 of 100 rows says so. ``accuracy``,
``average``, ``weighted_average`` and ``median`` read numeric scores (booleans count as
0 and 1); ``categorical_count`` counts every score by its text, so it also sums up
letter grades.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from plugstack.apis.scoring_functions.types import AggregationFunction

__all__ = ["aggregate"]

ScoreRow = dict[str, Any]


def aggregate(score_rows: Sequence[ScoreRow], functions: Sequence[AggregationFunction]) -> dict[str, Any]:
    """The counts of rows scored and skipped, then each aggregation function's results."""
    scored = [row for row in score_rows if row.get("error") is None]
    results: dict[str, Any] = {
        "num_rows": len(score_rows),
        "num_scored": len(scored),
        "num_skipped": len(score_rows) - len(scored),
    }
    for name in functions:
        results.update(_AGGREGATORS[name](scored))
    return results


def _number(value: object) -> float | None:
    if isinstance(value, bool | int | float):
        return float(value)
    return None


def _numbers(rows: Sequence[ScoreRow]) -> list[float]:
    return [n for n in (_number(row.get("score")) for row in rows) if n is not None]


def _accuracy(rows: Sequence[ScoreRow]) -> dict[str, Any]:
    numbers = _numbers(rows)
    correct = sum(numbers)
    return {
        "accuracy": correct / len(numbers) if numbers else None,
        "num_correct": correct,
        "num_total": len(numbers),
    }


def _average(rows: Sequence[ScoreRow]) -> dict[str, Any]:
    numbers = _numbers(rows)
    return {"average": statistics.fmean(numbers) if numbers else None}


def _weighted_average(rows: Sequence[ScoreRow]) -> dict[str, Any]:
    """Each score times its row's ``weight`` (1 when the row has none), over the weights' sum."""
    pairs = []
    for row in rows:
        score = _number(row.get("score"))
        weight = _number(row.get("weight", 1.0))
        if score is not None and weight is not None:
            pairs.append((score, weight))
    total = sum(weight for _, weight in pairs)
    return {"weighted_average": sum(s * w for s, w in pairs) / total if total else None}


def _median(rows: Sequence[ScoreRow]) -> dict[str, Any]:
    numbers = _numbers(rows)
    return {"median": statistics.median(numbers) if numbers else None}


def _categorical_count(rows: Sequence[ScoreRow]) -> dict[str, Any]:
    return {"categorical_count": dict(Counter(str(row.get("score")) for row in rows))}


_AGGREGATORS: dict[str, Callable[[Sequence[ScoreRow]], dict[str, Any]]] = {
    "accuracy": _accuracy,
    "average": _average,
    "weighted_average": _weighted_average,
    "median": _median,
    "categorical_count": _categorical_count,
}
