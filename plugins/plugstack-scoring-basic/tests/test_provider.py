"""``inline::basic`` through a stack in library mode: params, registration, bad rows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from plugstack.apis.scoring_functions.types import RegisterScoringFunctionRequest
from plugstack.errors import BadRequestError
from plugstack.stack import Stack

MC = "basic::regex_parser_multiple_choice_answer"


@pytest_asyncio.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    config = {
        "distribution_name": "scoring-basic",
        "providers": {"scoring": [{"provider_id": "basic", "provider_type": "inline::basic", "config": {}}]},
        "registered_resources": {
            "scoring_functions": [
                {
                    "scoring_fn_id": "final-letter",
                    "provider_scoring_fn_id": MC,
                    "params": {"parsing_regexes": [r"FINAL: ([A-J])"]},
                    "aggregation_functions": ["accuracy", "categorical_count"],
                }
            ]
        },
        "storage": {"kvstore": {"db_path": str(tmp_path / "kv.db")}},
    }
    async with await Stack.from_config(config) as started:
        yield started


async def score(stack: Stack, fn: str, rows: list[dict[str, Any]], params: dict[str, Any] | None = None) -> Any:
    return (await stack.scoring.score(input_rows=rows, scoring_functions={fn: params})).results[fn]


async def test_the_built_ins_are_listed(stack: Stack) -> None:
    listed = {f.id: f for f in stack.scoring_functions.list()}
    assert list(listed) == ["basic::equality", "basic::subset_of", MC, "final-letter"]
    assert all(f.provider_id == "basic" for f in listed.values())
    assert all(listed[fn].description for fn in ("basic::equality", "basic::subset_of", MC))
    assert listed[MC].aggregation_functions == ["accuracy"]


async def test_multiple_choice_scores_and_aggregates(stack: Stack) -> None:
    rows = [
        {"expected_answer": "B", "generated_answer": "Answer: B"},
        {"expected_answer": "(C)", "generated_answer": "the answer is c"},
        {"expected_answer": "A", "generated_answer": "Answer: D"},
        {"expected_answer": "A", "generated_answer": "no idea"},
        {"generated_answer": "Answer: A"},
    ]
    result = await score(stack, MC, rows)
    assert [(r["score"], r.get("parsed_answer")) for r in result.score_rows[:4]] == [
        (1.0, "B"),
        (1.0, "C"),
        (0.0, "D"),
        (0.0, None),
    ]
    assert "row 4: missing column 'expected_answer'" in result.score_rows[4]["error"]
    aggregated = result.aggregated_results
    assert (aggregated["accuracy"], aggregated["num_total"], aggregated["num_skipped"]) == (0.5, 4, 1)


async def test_a_registered_parser_uses_its_own_regexes(stack: Stack) -> None:
    rows = [{"expected_answer": "H", "generated_answer": "Answer: A. FINAL: H"}]
    result = await score(stack, "final-letter", rows)
    assert result.score_rows == [{"score": 1.0, "parsed_answer": "H"}]
    assert result.aggregated_results["categorical_count"] == {"1.0": 1}


async def test_call_params_turn_normalisation_off(stack: Stack) -> None:
    rows = [{"expected_answer": "Paris", "generated_answer": "paris"}]
    assert (await score(stack, "basic::equality", rows)).score_rows == [{"score": 1.0}]
    assert (await score(stack, "basic::equality", rows, {"normalize": False})).score_rows == [{"score": 0.0}]


@pytest.mark.parametrize(
    ("params", "param", "message"),
    [
        ({"parsing_regexes": ["(unclosed"]}, "params.parsing_regexes", "is not a regex"),
        ({"parsing_regexes": ["no group"]}, "params.parsing_regexes", "has no group"),
        ({"parsing_regexes": []}, "params.parsing_regexes", "at least 1"),
        ({"normalise": True}, "params.normalise", "Extra inputs"),
    ],
)
async def test_bad_params_are_400s_naming_the_param(
    stack: Stack, params: dict[str, Any], param: str, message: str
) -> None:
    with pytest.raises(BadRequestError, match=message) as caught:
        await score(stack, MC, [{"expected_answer": "A", "generated_answer": "A"}], params)
    assert caught.value.param == param
    assert f"scoring function {MC!r}" in caught.value.message


async def test_registration_checks_the_built_in_and_its_params(stack: Stack) -> None:
    with pytest.raises(BadRequestError, match="no scoring function 'basic::fuzzy'") as caught:
        await stack.scoring_functions.register(
            RegisterScoringFunctionRequest(scoring_fn_id="fuzzy", provider_scoring_fn_id="basic::fuzzy")
        )
    assert caught.value.param == "provider_scoring_fn_id"
    with pytest.raises(BadRequestError, match="has no group"):
        await stack.scoring_functions.register(
            RegisterScoringFunctionRequest(
                scoring_fn_id="bad", provider_scoring_fn_id=MC, params={"parsing_regexes": ["x"]}
            )
        )
    registered = await stack.scoring_functions.register(
        RegisterScoringFunctionRequest(
            scoring_fn_id="exact", provider_scoring_fn_id="basic::equality", params={"normalize": False}
        )
    )
    assert registered.provider_resource_id == "basic::equality"


async def test_values_of_any_type_are_scored_not_crashed_on(stack: Stack) -> None:
    rows = [
        {"expected_answer": 4, "generated_answer": 4},
        {"expected_answer": {"a": 1}, "generated_answer": "{'a': 1}"},
        {"expected_answer": "B", "generated_answer": ["Answer: B"]},
    ]
    for fn in ("basic::equality", "basic::subset_of", MC):
        result = await score(stack, fn, rows)
        assert all(r.get("error") is None and r["score"] in (0.0, 1.0) for r in result.score_rows), fn
