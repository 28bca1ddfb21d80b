"""``inline::llm-as-judge``: prompts, parsing, per-row errors and params, on ``inline::echo`` (see conftest) or a fake router."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from plugstack_scoring_llm_judge.config import LlmJudgeConfig
from plugstack_scoring_llm_judge.judge import LlmJudge

from plugstack.apis.scoring_functions.types import RegisterScoringFunctionRequest, ReturnType, ScoringFn
from plugstack.errors import BadRequestError, NotFoundError, ProviderError
from plugstack.plugins import PluginHost
from plugstack.server.background import BackgroundServer
from plugstack.stack import Stack

HostFactory = Callable[[], PluginHost]
ConfigFactory = Callable[..., dict[str, Any]]


async def score(stack: Stack, fn: str, rows: list[dict[str, Any]], params: dict[str, Any] | None = None) -> Any:
    return (await stack.scoring.score(input_rows=rows, scoring_functions={fn: params})).results[fn]


async def test_each_row_is_templated_sent_and_parsed(judge_host: HostFactory, judge_config: ConfigFactory) -> None:
    rows = [
        {"input_query": "2 + 2?", "generated_answer": 4},
        {"input_query": "3 + 3?", "generated_answer": "unsure"},
        {"input_query": "no answer"},
        {"input_query": "5 + 5?", "generated_answer": "10"},
    ]
    async with await Stack.from_config(judge_config(), host=judge_host()) as stack:
        result = await score(stack, "echo-grade", rows)
    first, unparsed, missing, last = result.score_rows
    assert first == {"score": 4.0, "judge_feedback": "Question: 2 + 2? Grade: 4"}, "echo answers with the prompt"
    assert unparsed["score"] is None and unparsed["judge_feedback"] == "Question: 3 + 3? Grade: unsure"
    assert unparsed["error"] == (
        "row 1: the judge's answer matched none of judge_score_regexes: 'Question: 3 + 3? Grade: unsure'"
    )
    assert missing == {
        "score": None,
        "error": "row 2: missing column 'generated_answer', which scoring function 'echo-grade' needs",
    }
    assert last["score"] == 10.0
    assert result.aggregated_results == {"num_rows": 4, "num_scored": 2, "num_skipped": 2, "average": 7.0}


async def test_the_default_prompt_answered_without_a_score_is_a_row_error(
    judge_host: HostFactory, judge_config: ConfigFactory
) -> None:
    """Echo repeats the default prompt, which asks for "Score: " but holds no grade: unparseable, not a crash."""
    row = {"input_query": "Capital of France?", "expected_answer": "Paris", "generated_answer": "Paris"}
    async with await Stack.from_config(judge_config(), host=judge_host()) as stack:
        with pytest.raises(BadRequestError, match=r"params\.judge_model is required") as caught:
            await score(stack, "llm-as-judge::base", [row])
        assert caught.value.param == "params.judge_model"
        result = await score(stack, "llm-as-judge::base", [row, {"generated_answer": "x"}], {"judge_model": "echo-1"})
    judged, lacking = result.score_rows
    assert judged["score"] is None and "matched none of judge_score_regexes" in judged["error"]
    assert "Answer to grade: Paris" in judged["judge_feedback"]
    assert lacking["error"].startswith("row 1: missing columns 'input_query', 'expected_answer'")


async def test_letter_grades_with_a_string_return_type(judge_host: HostFactory, judge_config: ConfigFactory) -> None:
    letters = {
        "scoring_fn_id": "letter",
        "return_type": {"type": "string"},
        "params": {"judge_model": "echo-1", "prompt_template": "Grade {g}", "judge_score_regexes": [r"Grade (\S+)"]},
        "aggregation_functions": ["categorical_count"],
    }
    numbers = {**letters, "scoring_fn_id": "number", "return_type": {"type": "number"}}
    rows = [{"g": "A"}, {"g": "B"}, {"g": "A"}]
    async with await Stack.from_config(judge_config(letters, numbers), host=judge_host()) as stack:
        graded = await score(stack, "letter", rows)
        not_numbers = await score(stack, "number", rows[:1])
    assert [r["score"] for r in graded.score_rows] == ["A", "B", "A"]
    assert graded.aggregated_results["categorical_count"] == {"A": 2, "B": 1}
    assert not_numbers.score_rows[0]["error"] == "row 0: the judge's score 'A' is not a number (return_type is number)"


@pytest.mark.parametrize(
    ("params", "param", "message"),
    [
        ({"prompt_template": "Grade: {generated_answer"}, "params.prompt_template", "is not a template"),
        ({"prompt_template": "Grade it"}, "params.prompt_template", "names no column"),
        ({"prompt_template": "Grade {0}"}, "params.prompt_template", "must be column names"),
        ({"judge_score_regexes": ["Score: \\d"]}, "params.judge_score_regexes", "has no group"),
        ({"judge_score_regexes": ["(unclosed"]}, "params.judge_score_regexes", "is not a regex"),
        ({"judge_score_regexes": []}, "params.judge_score_regexes", "at least 1"),
        ({"judge": "echo-1"}, "params.judge", "Extra inputs"),
        ({"max_tokens": 0}, "params.max_tokens", "greater than or equal to 1"),
    ],
)
async def test_bad_params_are_400s_naming_the_param(
    judge_host: HostFactory, judge_config: ConfigFactory, params: dict[str, Any], param: str, message: str
) -> None:
    async with await Stack.from_config(judge_config(), host=judge_host()) as stack:
        with pytest.raises(BadRequestError, match=message) as caught:
            await score(stack, "echo-grade", [{"input_query": "q", "generated_answer": "1"}], params)
        assert caught.value.param == param
        with pytest.raises(BadRequestError, match=message):
            await stack.scoring_functions.register(
                RegisterScoringFunctionRequest(scoring_fn_id="bad", params={"judge_model": "echo-1", **params})
            )
        assert "bad" not in [f.id for f in stack.scoring_functions.list()]


async def test_an_unknown_judge_model_fails_the_call_not_each_row(
    judge_host: HostFactory, judge_config: ConfigFactory
) -> None:
    async with await Stack.from_config(judge_config(), host=judge_host()) as stack:
        with pytest.raises(NotFoundError, match="no-such-judge"):
            await score(
                stack, "echo-grade", [{"input_query": "q", "generated_answer": "1"}], {"judge_model": "no-such-judge"}
            )


async def test_a_registered_judge_survives_a_restart(
    judge_host: HostFactory, judge_config: ConfigFactory, tmp_path: Path
) -> None:
    request = RegisterScoringFunctionRequest(
        scoring_fn_id="mine", params={"judge_model": "echo-1", "prompt_template": "Score: {n}"}
    )
    async with await Stack.from_config(judge_config(storage=tmp_path), host=judge_host()) as stack:
        await stack.scoring_functions.register(request)
    async with await Stack.from_config(judge_config(storage=tmp_path), host=judge_host()) as stack:
        result = await score(stack, "mine", [{"n": 3}])
    assert result.score_rows[0]["score"] == 3.0, "the default regexes read 'Score: 3'"


# -- on a fake inference router: what echo cannot do -----------------------------------------


class FakeInference:
    """Answers "Score: <n>" for the prompt "n"; refuses "too long" (400) and fails on "down" (502)."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.most_in_flight = 0
        self.calls: list[dict[str, Any]] = []

    async def chat_completion(self, request: Any = None, /, **params: Any) -> Any:
        self.calls.append(params)
        prompt = params["messages"][0]["content"]
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0.01)
            if prompt == "too long":
                raise BadRequestError("the prompt is longer than the context (2048 tokens)")
            if prompt == "down":
                raise ProviderError("upstream unreachable", provider_id="fake")
            content = "" if prompt == "silent" else f"Score: {prompt}"
            return SimpleNamespace(choices=[SimpleNamespace(message=SimpleNamespace(content=content))])
        finally:
            self.in_flight -= 1


def fake_function(**params: Any) -> ScoringFn:
    return ScoringFn(
        id="fake",
        provider_id="judge",
        return_type=ReturnType(type="number"),
        params={"judge_model": "m", "prompt_template": "{p}", **params},
    )


async def test_rows_are_judged_concurrently_within_the_bound_and_in_order() -> None:
    inference = FakeInference()
    judge = LlmJudge(LlmJudgeConfig(max_concurrency=3, max_tokens=9), inference=inference)
    result = await judge.score(fake_function(), [{"p": str(n)} for n in range(10)])
    assert [r["score"] for r in result.score_rows] == [float(n) for n in range(10)]
    assert inference.most_in_flight == 3
    assert {(c["model"], c["temperature"], c["max_tokens"]) for c in inference.calls} == {("m", 0.0, 9)}


async def test_a_refused_or_empty_answer_is_that_rows_error() -> None:
    judge = LlmJudge(LlmJudgeConfig(), inference=FakeInference())
    rows = [{"p": "1"}, {"p": "too long"}, {"p": "silent"}, {"p": "2"}]
    result = await judge.score(fake_function(max_tokens=5), rows)
    assert [r["score"] for r in result.score_rows] == [1.0, None, None, 2.0]
    assert result.score_rows[1]["error"] == (
        "the judge model refused this row's prompt: the prompt is longer than the context (2048 tokens)"
    )
    assert result.score_rows[2]["error"] == "the judge model answered nothing"


async def test_an_upstream_failure_fails_the_call() -> None:
    judge = LlmJudge(LlmJudgeConfig(), inference=FakeInference())
    with pytest.raises(ProviderError, match="upstream unreachable"):
        await judge.score(fake_function(), [{"p": "1"}, {"p": "down"}, {"p": "2"}])


# -- over HTTP ---------------------------------------------------------------------------------


def test_score_over_http(judge_host: HostFactory, judge_config: ConfigFactory, tmp_path: Path) -> None:
    with BackgroundServer(judge_config(storage=tmp_path), host=judge_host()) as server:
        body = {
            "input_rows": [
                {"input_query": "q", "generated_answer": "7"},
                {"input_query": "q", "generated_answer": "?"},
            ],
            "scoring_functions": {"echo-grade": None},
        }
        response = httpx.post(f"{server.base_url}/scoring/score", json=body)
        assert response.status_code == 200, response.text
        rows = response.json()["results"]["echo-grade"]["score_rows"]
        assert rows[0]["score"] == 7.0 and rows[1]["score"] is None and rows[1]["error"].startswith("row 1: ")
        bad = httpx.post(
            f"{server.base_url}/scoring-functions",
            json={"scoring_fn_id": "x", "params": {"judge_model": "echo-1", "prompt_template": "{"}},
        )
        assert bad.status_code == 400 and bad.json()["error"]["param"] == "params.prompt_template"


async def test_with_a_score_range_an_answer_that_is_not_the_schema_is_a_row_error(
    judge_host: HostFactory, judge_config: ConfigFactory
) -> None:
    """Echo ignores response_format (a real model's grammar or schema would not): the row says so."""
    row = {"input_query": "2 + 2?", "generated_answer": "4"}
    async with await Stack.from_config(judge_config(), host=judge_host()) as stack:
        result = await score(stack, "echo-grade", [row], {"judge_model": "echo-1", "score_range": [0, 10]})
        [judged] = result.score_rows
        assert judged["score"] is None
        assert 'is not {"score": n} as its response_format asked' in judged["error"]
        with pytest.raises(BadRequestError, match="score_range"):
            await score(stack, "echo-grade", [row], {"judge_model": "echo-1", "score_range": [5, 1]})
