"""``score_batch`` on datasets read through the real datasetio API (``inline::localfs``, plugstack-datasetio-local).

A JSONL file and inline rows, both with a row lacking a column: that row's error names its
index in the dataset, every other row is scored, and the aggregates count the skipped one.
Skipped when plugstack-datasetio-local is not installed.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from plugstack.errors import NotFoundError, NotImplementedByProviderError
from plugstack.server.background import BackgroundServer
from plugstack.stack import Stack

pytest.importorskip(
    "plugstack_datasetio_local", reason="plugstack-datasetio-local (inline::localfs datasetio) is not installed"
)

MC = "basic::regex_parser_multiple_choice_answer"


def run_config(tmp_path: Path) -> dict[str, Any]:
    rows = [{"expected_answer": "ABCD"[i % 4], "generated_answer": f"Answer: {'ABCD'[i % 3]}"} for i in range(2345)]
    del rows[1234]["generated_answer"]
    path = tmp_path / "mc.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    config = {
        "distribution_name": "score-batch",
        "providers": {
            "scoring": [{"provider_id": "basic", "provider_type": "inline::basic", "config": {}}],
            "datasetio": [
                {
                    "provider_id": "localfs",
                    "provider_type": "inline::localfs",
                    "config": {"allowed_dirs": [str(tmp_path)]},
                }
            ],
        },
        "registered_resources": {
            "datasets": [
                {
                    "dataset_id": "mc",
                    "purpose": "eval/question-answer",
                    "source": {"type": "uri", "uri": path.as_uri()},
                },
                {
                    "dataset_id": "capitals",
                    "purpose": "eval/question-answer",
                    "source": {
                        "type": "rows",
                        "rows": [
                            {"expected_answer": "Paris", "generated_answer": "paris"},
                            {"expected_answer": "Rome"},
                            {"expected_answer": "Oslo", "generated_answer": "Bergen"},
                        ],
                    },
                },
            ]
        },
        "storage": {"kvstore": {"db_path": str(tmp_path / "kv.db")}},
    }
    return config


@pytest_asyncio.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with await Stack.from_config(run_config(tmp_path)) as started:
        yield started


async def test_a_file_dataset_is_scored_over_every_page(stack: Stack) -> None:
    response = await stack.scoring.score_batch(dataset_id="mc", scoring_functions={MC: None})
    result = response.results[MC]
    assert response.dataset_id == "mc" and len(result.score_rows) == 2345
    assert result.score_rows[1234]["error"].startswith("row 1234: missing column 'generated_answer'")
    expected = sum(1 for i in range(2345) if i != 1234 and "ABCD"[i % 4] == "ABCD"[i % 3])
    aggregated = result.aggregated_results
    assert (aggregated["num_correct"], aggregated["num_total"], aggregated["num_skipped"]) == (expected, 2344, 1)


async def test_inline_rows_with_several_functions(stack: Stack) -> None:
    response = await stack.scoring.score_batch(
        dataset_id="capitals", scoring_functions={"basic::equality": None, "basic::subset_of": {"normalize": False}}
    )
    assert [r["score"] for r in response.results["basic::equality"].score_rows] == [1.0, None, 0.0]
    assert [r["score"] for r in response.results["basic::subset_of"].score_rows] == [0.0, None, 0.0]
    assert response.results["basic::equality"].score_rows[1]["error"].startswith("row 1: missing column")


async def test_an_unknown_dataset_is_a_404_and_saving_results_a_501(stack: Stack) -> None:
    with pytest.raises(NotFoundError, match="nope"):
        await stack.scoring.score_batch(dataset_id="nope", scoring_functions={MC: None})
    with pytest.raises(NotImplementedByProviderError):
        await stack.scoring.score_batch(dataset_id="mc", scoring_functions={MC: None}, save_results_dataset=True)


def test_score_batch_over_http(tmp_path: Path) -> None:
    with BackgroundServer(run_config(tmp_path)) as server:
        url = f"{server.base_url}/scoring/score-batch"
        response = httpx.post(url, json={"dataset_id": "capitals", "scoring_functions": {"basic::equality": None}})
        assert response.status_code == 200, response.text
        result = response.json()["results"]["basic::equality"]
        assert [r["score"] for r in result["score_rows"]] == [1.0, None, 0.0]
        assert result["aggregated_results"]["accuracy"] == 0.5
        saving = httpx.post(url, json={"dataset_id": "capitals", "scoring_functions": {}, "save_results_dataset": True})
        assert saving.status_code == 400 and saving.json()["error"]["param"] == "scoring_functions"
        saving = httpx.post(
            url, json={"dataset_id": "capitals", "scoring_functions": {MC: None}, "save_results_dataset": True}
        )
        assert saving.status_code == 501 and saving.json()["error"]["param"] == "save_results_dataset"
