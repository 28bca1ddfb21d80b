"""The built-in ``capitals`` benchmark on the ``local`` distribution's real model (SmolLM2-135M on llama.cpp).

``distributions/local/run.yaml`` is started in-process with its state under a temporary
``PLUGSTACK_HOME``. A 135M model knows some capitals and not others, so the test asserts
that the job completes over the rows it was given and that the accuracy is a number between 0 and 1,
not which capitals it knows. Skipped without llama-cpp-python and the model wheel,
unless ``PLUGSTACK_REQUIRE_LLAMA_CPP`` is set (CI sets it): then it fails.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from plugstack.run_config import load_run_config
from plugstack.stack import Stack
from plugstack.testing.local_model import require_local_model

RUN_YAML = Path(__file__).resolve().parents[2] / "distributions" / "local" / "run.yaml"
MODEL = "smollm2-135m-instruct"  # run.yaml's default PLUGSTACK_MODEL_ID


@pytest.fixture(autouse=True)
def _needs_the_local_model() -> None:
    require_local_model()


async def test_capitals_on_the_local_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLUGSTACK_HOME", str(tmp_path))
    config = load_run_config(RUN_YAML)
    if "eval" not in config.apis:  # as `plugstack eval run` does
        config.apis.append("eval")
    async with await Stack.from_config(config) as stack:
        candidate = {
            "type": "model",
            "model": MODEL,
            "sampling_params": {"strategy": {"type": "greedy"}, "max_tokens": 16},  # "The capital of X is Y."
        }
        benchmark_config = {
            "eval_candidate": candidate,
            "num_examples": 10,
        }  # a third of the rows: seconds, not a minute
        job = await stack.eval.run_eval("capitals", benchmark_config=benchmark_config)
        for _ in range(1200):
            job = await stack.eval.job_status("capitals", job.job_id)
            if job.status not in ("scheduled", "in_progress"):
                break
            await asyncio.sleep(0.1)
        assert job.status == "completed", job.error
        assert job.progress.done == job.progress.total == 10
        result = await stack.eval.job_result("capitals", job.job_id)
    assert all(isinstance(g["generated_answer"], str) and g["generated_answer"] for g in result.generations)
    aggregates = result.scores["basic::subset_of"].aggregated_results
    assert aggregates["num_scored"] == 10
    assert isinstance(aggregates["accuracy"], float) and 0.0 <= aggregates["accuracy"] <= 1.0
    print(
        f"SmolLM2-135M on capitals: accuracy {aggregates['accuracy']:.3f} in {job.completed_at - job.started_at:.1f} s"
    )
