"""Eval and benchmarks in library mode: ``stack.eval`` over ``inline::echo``, datasetio-local and scoring-basic.

Echo repeats the question, so accuracies are known: a row scores 1 under
``basic::subset_of`` exactly when its expected answer is part of its question, and the
built-in ``capitals`` benchmark (no question holds its answer) scores 0. A
``plugstack_api_call`` wrapper slows inference calls where a test needs a job caught
mid-way, records what the candidate was asked, and can make the model fail.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Generator
from pathlib import Path
from typing import Any

import plugstack_datasetio_local
import plugstack_scoring_basic
import pytest

import plugstack
from plugstack.api_call import ApiCall
from plugstack.apis.eval import EvaluateResponse, Job
from plugstack.apis.eval.records import JobRecords
from plugstack.errors import (
    BadRequestError,
    ConfigError,
    ConflictError,
    NotFoundError,
    NotImplementedByProviderError,
    ProviderError,
)
from plugstack.plugins import PluginHost, new_plugin_host
from plugstack.run_config import StoreConfig
from plugstack.stack import Stack
from plugstack.storage import SqlStore, create_engine_for
from plugstack.testing.echo import EchoPlugin

SUBSET = "basic::subset_of"
EQUALITY = "basic::equality"
ECHO = {"eval_candidate": {"type": "model", "model": "echo-1"}}
QUIZ = [  # echo's answer is the question: subset_of 2 of 4 right, equality 1 of 4
    {"input_query": "Paris", "expected_answer": "Paris"},
    {"input_query": "The sky is blue", "expected_answer": "blue"},
    {"input_query": "What is two plus two?", "expected_answer": "4"},
    {"input_query": "Name a colour", "expected_answer": "red"},
]


class Inference:
    """Slows each inference call by ``delay`` seconds, records the requests, fails them when ``fail`` is set."""

    def __init__(self) -> None:
        self.delay = 0.0
        self.fail = False
        self.requests: list[Any] = []

    @property
    def asked(self) -> list[str]:
        return [str(request.messages[-1].content) for request in self.requests]

    @plugstack.hookimpl(wrapper=True)
    def plugstack_api_call(self, call: ApiCall) -> Generator[None, Awaitable[Any], Awaitable[Any]]:
        inner = yield

        async def watched() -> Any:
            if call.api == "inference" and call.method == "chat_completion":
                self.requests.append(call.params["request"])
                result = await inner
                await asyncio.sleep(self.delay)
                if self.fail:
                    raise ProviderError("echo is down", provider_id="echo", status_code=503)
                return result
            return await inner

        return watched()


@pytest.fixture
def inference() -> Inference:
    return Inference()


@pytest.fixture
def eval_host(inference: Inference) -> PluginHost:
    return eval_plugin_host(inference)


def eval_plugin_host(inference: Inference | None = None) -> PluginHost:
    host = new_plugin_host()
    assert host.register(EchoPlugin(), name="echo")
    assert host.register(plugstack_datasetio_local, name="datasetio-local")
    assert host.register(plugstack_scoring_basic, name="scoring-basic")
    if inference is not None:
        assert host.register(inference, name="watched-inference")
    return host


def eval_config(tmp_path: Path, sqlstore: dict[str, Any] | None = None, **resources: Any) -> dict[str, Any]:
    return {
        "distribution_name": "eval-test",
        "providers": {
            "inference": [{"provider_id": "echo", "provider_type": "inline::echo", "config": {}}],
            "datasetio": [{"provider_id": "rows", "provider_type": "inline::localfs", "config": {}}],
            "scoring": [{"provider_id": "basic", "provider_type": "inline::basic", "config": {}}],
        },
        "registered_resources": resources,
        "storage": {
            "kvstore": {"db_path": str(tmp_path / "kv.db")},
            "sqlstore": sqlstore or {"db_path": str(tmp_path / "sql.db")},
        },
    }


@pytest.fixture
async def stack(eval_host: PluginHost, tmp_path: Path) -> AsyncIterator[Stack]:
    async with await Stack.from_config(eval_config(tmp_path), host=eval_host) as started:
        yield started


async def quiz(stack: Stack, rows: list[dict[str, Any]] = QUIZ, functions: tuple[str, ...] = (SUBSET,)) -> str:
    """Register ``rows`` as dataset and benchmark ``quiz``."""
    await stack.datasetio.register_dataset(
        dataset_id="quiz", purpose="eval/question-answer", source={"type": "rows", "rows": rows}
    )
    await stack.eval.register_benchmark(benchmark_id="quiz", dataset_id="quiz", scoring_functions=list(functions))
    return "quiz"


async def wait_for(stack: Stack, benchmark_id: str, job_id: str, *statuses: str, done: int | None = None) -> Job:
    """The job once its status is one of ``statuses`` (or ``done`` rows are answered)."""
    for _ in range(1000):
        job: Job = await stack.eval.job_status(benchmark_id, job_id)
        if job.status in statuses or (done is not None and job.progress.done >= done):
            return job
        await asyncio.sleep(0.01)
    raise AssertionError(f"eval job {job_id} is still {job.status}: {job.progress}")


async def run_to_end(stack: Stack, benchmark_id: str, config: dict[str, Any] = ECHO, **extra: Any) -> Job:
    job: Job = await stack.eval.run_eval(benchmark_id, benchmark_config=config, **extra)
    return await wait_for(stack, benchmark_id, job.job_id, "completed", "failed", "cancelled")


# -- running benchmarks -----------------------------------------------------------------------


async def test_capitals_is_built_in_and_a_model_that_repeats_the_question_scores_zero(stack: Stack) -> None:
    (capitals,) = (await stack.eval.list_benchmarks()).data
    assert (capitals.id, capitals.dataset_id, capitals.scoring_functions) == ("capitals", "capitals", [SUBSET])
    rows = (await stack.datasetio.iterrows("capitals")).data
    assert len(rows) == 30 and rows[0] == {
        "input_query": "What is the capital of France? Answer with the city's name.",
        "expected_answer": "Paris",
    }

    job = await run_to_end(stack, "capitals")
    assert job.status == "completed" and job.progress.model_dump() == {"done": 30, "total": 30}
    assert job.started_at is not None and job.completed_at is not None and job.error is None
    result: EvaluateResponse = await stack.eval.job_result("capitals", job.job_id)
    assert [g["generated_answer"] for g in result.generations] == [row["input_query"] for row in rows]
    aggregates = result.scores[SUBSET].aggregated_results
    assert aggregates["accuracy"] == 0.0 and aggregates["num_rows"] == 30 and aggregates["num_skipped"] == 0


async def test_a_registered_benchmark_scores_what_the_answers_deserve(stack: Stack, inference: Inference) -> None:
    await quiz(stack, functions=(SUBSET, EQUALITY))
    job = await run_to_end(stack, "quiz", concurrency=2)
    result = await stack.eval.job_result("quiz", job.job_id)
    assert result.scores[SUBSET].aggregated_results["accuracy"] == 0.5
    assert result.scores[EQUALITY].aggregated_results["accuracy"] == 0.25
    assert [row["score"] for row in result.scores[SUBSET].score_rows] == [1.0, 1.0, 0.0, 0.0]
    assert sorted(inference.asked) == sorted(row["input_query"] for row in QUIZ)

    first_two = await run_to_end(stack, "quiz", config={**ECHO, "num_examples": 2})
    result = await stack.eval.job_result("quiz", first_two.job_id)
    assert first_two.progress.total == 2 and result.scores[SUBSET].aggregated_results["accuracy"] == 1.0


async def test_sampling_params_and_the_system_message_reach_the_model(stack: Stack, inference: Inference) -> None:
    candidate = {
        "type": "model",
        "model": "echo-1",
        "sampling_params": {"strategy": {"type": "greedy"}, "max_tokens": 3, "stop": ["\n"]},
        "system_message": {"role": "system", "content": "Answer in one word."},
    }
    job = await run_to_end(stack, await quiz(stack), config={"eval_candidate": candidate})
    request = inference.requests[0]
    assert (request.temperature, request.max_tokens, request.stop) == (0.0, 3, ["\n"])
    assert [m.role for m in request.messages] == ["system", "user"]
    assert request.messages[0].content == "Answer in one word."
    generations = (await stack.eval.job_result("quiz", job.job_id)).generations
    assert generations[2]["generated_answer"] == "What is two"  # echo honours max_tokens


async def test_bad_rows_get_errors_naming_them_and_the_job_completes(stack: Stack) -> None:
    rows = [
        {"input_query": "Paris", "expected_answer": "Paris"},
        {"input_query": "Rome"},  # no expected answer
        {"prompt": "Oslo", "expected_answer": "Oslo"},  # no question column
        {"chat_completion_input": json.dumps([{"role": "user", "content": "Lima"}]), "expected_answer": "Lima"},
        {"question": "Cairo is big", "answer": "cairo"},  # the eval/question-answer purpose's columns
        {"messages": "not a chat", "expected_answer": "x"},
    ]
    job = await run_to_end(stack, await quiz(stack, rows))
    assert job.status == "completed"
    result = await stack.eval.job_result("quiz", job.job_id)
    scores = result.scores[SUBSET].score_rows
    assert [row["score"] for row in scores] == [1.0, None, None, 1.0, 1.0, None]
    assert (
        scores[1]["error"] == "row 1: missing column 'expected_answer', which scoring function 'basic::subset_of' needs"
    )
    assert scores[2]["error"].startswith("row 2: missing the question: the row has none of the columns")
    assert "'input_query'" in scores[2]["error"] and result.generations[2]["generated_answer"] is None
    assert scores[5]["error"] == "row 5: column 'messages' is text but not the JSON of a list of messages"
    aggregates = result.scores[SUBSET].aggregated_results
    assert (aggregates["accuracy"], aggregates["num_scored"], aggregates["num_skipped"]) == (1.0, 3, 3)


async def test_a_failing_model_fails_the_job_with_the_reason(stack: Stack, inference: Inference) -> None:
    inference.fail = True
    job = await run_to_end(stack, await quiz(stack))
    assert job.status == "failed" and job.error == "provider 'echo': echo is down"
    with pytest.raises(
        ConflictError, match="is failed: provider 'echo': echo is down; its result is ready once it is completed"
    ):
        await stack.eval.job_result("quiz", job.job_id)


async def test_a_responses_candidate_answers_through_the_responses_api(stack: Stack, inference: Inference) -> None:
    config = {"eval_candidate": {"type": "responses", "model": "echo-1", "instructions": "Be brief."}}
    job = await run_to_end(stack, await quiz(stack), config=config)
    result = await stack.eval.job_result("quiz", job.job_id)
    assert [g["generated_answer"] for g in result.generations] == [row["input_query"] for row in QUIZ]
    assert result.scores[SUBSET].aggregated_results["accuracy"] == 0.5
    assert inference.requests[0].messages[0].content == "Be brief."
    bad = {"eval_candidate": {"type": "agent", "model": "echo-1", "temperature": 9}}
    with pytest.raises(BadRequestError, match=r"benchmark_config\.eval_candidate\.temperature") as refused:
        await stack.eval.run_eval("quiz", benchmark_config=bad)
    assert refused.value.param == "benchmark_config.eval_candidate.temperature"
    with pytest.raises(BadRequestError, match="input: not allowed, each row gives its own input"):
        await stack.eval.run_eval(
            "quiz", benchmark_config={"eval_candidate": {"type": "responses", "model": "echo-1", "input": "x"}}
        )


async def test_evaluate_rows_answers_at_once(stack: Stack) -> None:
    result = await stack.eval.evaluate_rows("capitals", input_rows=QUIZ, benchmark_config=ECHO)
    assert result.scores[SUBSET].aggregated_results["accuracy"] == 0.5  # the benchmark's functions
    assert [g["generated_answer"] for g in result.generations] == [row["input_query"] for row in QUIZ]
    both = await stack.eval.evaluate_rows(
        "capitals", input_rows=QUIZ, scoring_functions=[EQUALITY], benchmark_config=ECHO
    )
    assert list(both.scores) == [EQUALITY] and both.scores[EQUALITY].aggregated_results["accuracy"] == 0.25
    with pytest.raises(NotFoundError, match="scoring function 'nope' not found"):
        await stack.eval.evaluate_rows("capitals", input_rows=QUIZ, scoring_functions=["nope"], benchmark_config=ECHO)


# -- refusals ---------------------------------------------------------------------------------


async def test_unknown_names_are_404s_naming_the_field(stack: Stack) -> None:
    with pytest.raises(NotFoundError, match="benchmark 'nope' not found") as caught:
        await stack.eval.run_eval("nope", benchmark_config=ECHO)
    assert caught.value.param == "benchmark_id"
    with pytest.raises(NotFoundError, match="dataset 'nope' not found") as caught:
        await stack.eval.register_benchmark(benchmark_id="b", dataset_id="nope", scoring_functions=[SUBSET])
    assert caught.value.param == "dataset_id"
    with pytest.raises(NotFoundError, match="scoring function 'nope' not found; scoring functions: basic::") as caught:
        await stack.eval.register_benchmark(benchmark_id="b", dataset_id="capitals", scoring_functions=["nope"])
    assert caught.value.param == "scoring_functions"
    with pytest.raises(NotFoundError, match="model 'gpt-9' not found") as caught:
        await stack.eval.run_eval("capitals", benchmark_config={"eval_candidate": {"type": "model", "model": "gpt-9"}})
    assert caught.value.param == "benchmark_config.eval_candidate.model"
    with pytest.raises(NotFoundError, match="eval job 'evaljob_x' of benchmark 'capitals' not found"):
        await stack.eval.job_status("capitals", "evaljob_x")
    job = await run_to_end(stack, "capitals")
    await quiz(stack)
    with pytest.raises(NotFoundError, match="of benchmark 'quiz' not found"):  # a job of another benchmark
        await stack.eval.job_result("quiz", job.job_id)


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({}, "benchmark_config.eval_candidate"),
        ({"eval_candidate": {"type": "robot", "model": "m"}}, "benchmark_config.eval_candidate"),
        ({"eval_candidate": {"type": "model", "model": "echo-1", "temprature": 1}}, "temprature"),
        ({**ECHO, "num_examples": 0}, "benchmark_config.num_examples"),
        (
            {"eval_candidate": {"type": "model", "model": "echo-1", "sampling_params": {"max_tokens": 0}}},
            "max_tokens",
        ),
    ],
)
async def test_bad_configs_are_400s_naming_the_field(stack: Stack, config: dict[str, Any], field: str) -> None:
    with pytest.raises(BadRequestError, match="invalid request") as caught:
        await stack.eval.run_eval("capitals", benchmark_config=config)
    assert field in (caught.value.param or "")


async def test_benchmarks_are_persisted_and_only_registered_ones_unregister(
    eval_host: PluginHost, tmp_path: Path
) -> None:
    config = eval_config(tmp_path)
    async with await Stack.from_config(config, host=eval_host) as stack:
        await quiz(stack)
        with pytest.raises(ConflictError, match="benchmark 'quiz' already exists"):
            await stack.eval.register_benchmark(benchmark_id="quiz", dataset_id="quiz", scoring_functions=[SUBSET])
        with pytest.raises(BadRequestError, match="benchmark 'capitals' is built in"):
            await stack.eval.unregister_benchmark("capitals")
    async with await Stack.from_config(config, host=eval_host) as stack:
        assert [b.id for b in stack.benchmarks.list()] == ["capitals", "quiz"]
        assert (await stack.eval.unregister_benchmark("quiz")).dataset_id == "quiz"
        with pytest.raises(NotFoundError):
            await stack.eval.get_benchmark("quiz")


async def test_the_run_config_declares_benchmarks_and_a_bad_one_stops_the_start(
    eval_host: PluginHost, tmp_path: Path
) -> None:
    declared = {"benchmark_id": "caps-again", "dataset_id": "capitals", "scoring_functions": [EQUALITY]}
    async with await Stack.from_config(eval_config(tmp_path, benchmarks=[declared]), host=eval_host) as stack:
        job = await run_to_end(stack, "caps-again", config={**ECHO, "num_examples": 3})
        assert job.status == "completed"
    wrong = {**declared, "dataset_id": "nope"}
    with pytest.raises(ConfigError, match=r"registered_resources\.benchmarks\[0\]: dataset 'nope' not found"):
        await Stack.from_config(eval_config(tmp_path, benchmarks=[wrong]), host=eval_host)


async def test_the_api_is_off_without_scoring(eval_host: PluginHost, tmp_path: Path) -> None:
    config = eval_config(tmp_path)
    del config["providers"]["scoring"]
    async with await Stack.from_config(config, host=eval_host) as stack:
        with pytest.raises(
            NotImplementedByProviderError, match=r"does not enable the eval API.*needs datasetio, scoring"
        ):
            await stack.eval.list_benchmarks()


# -- cancel and restart -----------------------------------------------------------------------


async def test_cancel_stops_the_job_and_keeps_the_answers_so_far(stack: Stack, inference: Inference) -> None:
    inference.delay = 0.02
    job = await stack.eval.run_eval("capitals", benchmark_config=ECHO, concurrency=1)
    await wait_for(stack, "capitals", job.job_id, done=3)
    cancelled = await stack.eval.job_cancel("capitals", job.job_id)
    assert cancelled.status == "cancelled" and 3 <= cancelled.progress.done < 30
    asked = len(inference.asked)
    await asyncio.sleep(0.1)
    assert len(inference.asked) == asked  # the task stopped
    stopped = await stack.eval.job_status("capitals", job.job_id)
    assert stopped.status == "cancelled" and stopped.progress.done >= cancelled.progress.done
    with pytest.raises(ConflictError, match="is cancelled; only a scheduled or in_progress job can be cancelled"):
        await stack.eval.job_cancel("capitals", job.job_id)
    with pytest.raises(ConflictError, match="is cancelled; its result is ready once it is completed"):
        await stack.eval.job_result("capitals", job.job_id)


async def test_a_restart_resumes_only_the_rows_not_yet_answered(
    eval_host: PluginHost, inference: Inference, tmp_path: Path
) -> None:
    inference.delay = 0.02
    config = eval_config(tmp_path)
    async with await Stack.from_config(config, host=eval_host) as stack:
        job = await stack.eval.run_eval("capitals", benchmark_config=ECHO, concurrency=2)
        before = await wait_for(stack, "capitals", job.job_id, done=8)
        assert before.status == "in_progress"
    asked_before_stop = len(inference.asked)
    assert asked_before_stop < 30

    async with await Stack.from_config(config, host=eval_host) as stack:
        done = await wait_for(stack, "capitals", job.job_id, "completed", "failed")
        assert done.status == "completed" and done.started_at == before.started_at
        result = await stack.eval.job_result("capitals", job.job_id)
    assert len(result.generations) == 30 and result.scores[SUBSET].aggregated_results["num_rows"] == 30
    assert set(inference.asked) == {g["generated_answer"] for g in result.generations}
    # the stop kept every answer it had: the second run asked only the rest, and again
    # at most the 2 that were in flight when the stack stopped
    assert 30 <= len(inference.asked) <= 30 + 2


async def test_a_job_that_cannot_resume_fails_saying_why(
    eval_host: PluginHost, inference: Inference, tmp_path: Path
) -> None:
    inference.delay = 0.02
    declared = {"benchmark_id": "caps-again", "dataset_id": "capitals", "scoring_functions": [SUBSET]}
    async with await Stack.from_config(eval_config(tmp_path, benchmarks=[declared]), host=eval_host) as stack:
        gone = await stack.eval.run_eval("caps-again", benchmark_config=ECHO, concurrency=1)
        shrunk = await stack.eval.run_eval("capitals", benchmark_config=ECHO, concurrency=1)
        await wait_for(stack, "capitals", shrunk.job_id, done=2)
    engine = create_engine_for(StoreConfig(db_path=str(tmp_path / "sql.db")), tmp_path / "unused.db")
    records = JobRecords(SqlStore(engine))
    await records.initialize()
    await records.update(shrunk.job_id, {"total": 40})  # as if the dataset had 40 rows when it started
    await engine.dispose()

    async with await Stack.from_config(eval_config(tmp_path), host=eval_host) as stack:
        changed = await wait_for(stack, "capitals", shrunk.job_id, "failed", "completed")
        assert changed.status == "failed"
        assert (
            changed.error
            == "dataset 'capitals' changed: the job started with 40 rows, it now gives 30; start a new job"
        )
        # the benchmark the run config no longer declares: its job fails, and can still be read
        lost = await wait_for(stack, "caps-again", gone.job_id, "failed", "completed")
        assert lost.status == "failed" and lost.error == "the job cannot run: benchmark 'caps-again' not found"


@pytest.mark.postgres
async def test_a_job_on_postgresql(eval_host: PluginHost, tmp_path: Path, postgres_url: str) -> None:
    config = eval_config(tmp_path, sqlstore={"type": "postgres", "url": postgres_url})
    async with await Stack.from_config(config, host=eval_host) as stack:
        job = await run_to_end(stack, await quiz(stack))
        assert job.status == "completed" and job.progress.done == 4
        result = await stack.eval.job_result("quiz", job.job_id)
        assert result.scores[SUBSET].aggregated_results["accuracy"] == 0.5
