"""Eval and benchmarks over HTTP (a real uvicorn server, httpx: the openai SDK has no eval API) and the CLI.

``plugstack eval run`` runs in-process (``main([...])``) on a run.yaml whose stack the
test's plugin host serves; a server started afterwards on the same state directory
answers the job's result.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import schemathesis
import yaml

from plugstack.cli import main
from plugstack.server.background import BackgroundServer
from plugstack.server.openapi import openapi_document

from .test_eval import ECHO, QUIZ, SUBSET, eval_config, eval_plugin_host

if TYPE_CHECKING:
    from .conftest import OpenAPIFuzzer


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundServer]:
    with BackgroundServer(eval_config(tmp_path_factory.mktemp("eval-http")), host=eval_plugin_host()) as running:
        yield running


def wait_for(base: str, job_id: str) -> dict[str, Any]:
    for _ in range(500):
        job: dict[str, Any] = httpx.get(f"{base}/jobs/{job_id}").json()
        if job["status"] not in ("scheduled", "in_progress"):
            return job
        time.sleep(0.01)
    raise AssertionError(f"job {job_id} is still {job['status']}")


def test_a_benchmark_runs_as_a_job(server: BackgroundServer) -> None:
    benchmarks = httpx.get(f"{server.base_url}/eval/benchmarks").json()
    assert benchmarks["object"] == "list" and [b["id"] for b in benchmarks["data"]] == ["capitals"]
    base = f"{server.base_url}/eval/benchmarks/capitals"
    assert httpx.get(base).json()["scoring_functions"] == [SUBSET]

    created = httpx.post(f"{base}/jobs", json={"benchmark_config": {**ECHO, "num_examples": 5}})
    assert created.status_code == 200, created.text
    assert created.json()["status"] in ("scheduled", "in_progress", "completed")
    job = wait_for(base, created.json()["job_id"])
    assert job["status"] == "completed" and job["progress"] == {"done": 5, "total": 5}
    result = httpx.get(f"{base}/jobs/{job['job_id']}/result").json()
    assert len(result["generations"]) == 5
    assert result["scores"][SUBSET]["aggregated_results"]["accuracy"] == 0.0
    again = httpx.delete(f"{base}/jobs/{job['job_id']}")
    assert again.status_code == 409 and again.json()["error"]["param"] == "job_id"


def test_evaluations_and_registered_benchmarks(server: BackgroundServer) -> None:
    base = f"{server.base_url}/eval/benchmarks"
    rows = httpx.post(f"{base}/capitals/evaluations", json={"input_rows": QUIZ, "benchmark_config": ECHO})
    assert rows.status_code == 200, rows.text
    assert rows.json()["scores"][SUBSET]["aggregated_results"]["accuracy"] == 0.5

    dataset = {"dataset_id": "http-quiz", "purpose": "eval/question-answer", "source": {"type": "rows", "rows": QUIZ}}
    assert httpx.post(f"{server.base_url}/datasets", json=dataset).status_code == 200
    registered = httpx.post(
        base, json={"benchmark_id": "http-quiz", "dataset_id": "http-quiz", "scoring_functions": [SUBSET]}
    )
    assert registered.status_code == 200, registered.text
    job = wait_for(
        f"{base}/http-quiz", httpx.post(f"{base}/http-quiz/jobs", json={"benchmark_config": ECHO}).json()["job_id"]
    )
    result = httpx.get(f"{base}/http-quiz/jobs/{job['job_id']}/result").json()
    assert result["scores"][SUBSET]["aggregated_results"]["accuracy"] == 0.5
    assert httpx.delete(f"{base}/http-quiz").json()["id"] == "http-quiz"
    assert httpx.get(f"{base}/http-quiz").status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "param"),
    [
        ("POST", "/eval/benchmarks/nope/jobs", {"benchmark_config": ECHO}, 404, "benchmark_id"),
        ("GET", "/eval/benchmarks/capitals/jobs/evaljob_nope", None, 404, "job_id"),
        ("GET", "/eval/benchmarks/capitals/jobs/evaljob_nope/result", None, 404, "job_id"),
        ("POST", "/eval/benchmarks/capitals/jobs", {"benchmark_config": {"eval_candidate": {"model": "x"}}}, 400, None),
        ("POST", "/eval/benchmarks/capitals/jobs", {"benchmark_config": ECHO, "concurrency": 99}, 400, "concurrency"),
        (
            "POST",
            "/eval/benchmarks/capitals/jobs",
            {"benchmark_config": {"eval_candidate": {"type": "model", "model": "gpt-9"}}},
            404,
            "benchmark_config.eval_candidate.model",
        ),
        (
            "POST",
            "/eval/benchmarks",
            {"benchmark_id": "b", "dataset_id": "nope", "scoring_functions": [SUBSET]},
            404,
            "dataset_id",
        ),
        (
            "POST",
            "/eval/benchmarks",
            {"benchmark_id": "b", "dataset_id": "capitals", "scoring_functions": ["nope"]},
            404,
            "scoring_functions",
        ),
        ("POST", "/eval/benchmarks", {"benchmark_id": "b", "dataset_id": "capitals"}, 400, "scoring_functions"),
        ("DELETE", "/eval/benchmarks/capitals", None, 400, "benchmark_id"),
        (
            "POST",
            "/eval/benchmarks/capitals/evaluations",
            {"input_rows": [], "benchmark_config": ECHO},
            400,
            "input_rows",
        ),
    ],
)
def test_bad_requests_get_openai_shaped_errors_naming_the_field(
    server: BackgroundServer, method: str, path: str, body: dict[str, Any] | None, status: int, param: str | None
) -> None:
    response = httpx.request(method, server.base_url + path, json=body)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    if param is not None:
        assert error["param"] == param


def test_the_cli_runs_a_benchmark_and_the_server_finds_the_job_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = eval_config(tmp_path)
    config["apis"] = ["inference", "datasetio", "scoring"]  # the command enables eval itself
    run_yaml = tmp_path / "run.yaml"
    run_yaml.write_text(yaml.safe_dump(config))
    host = eval_plugin_host()
    monkeypatch.setattr("plugstack.stack.get_plugin_host", lambda: host)

    code = main(["eval", "run", "capitals", "--model", "echo-1", "--config", str(run_yaml), "--limit", "6"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "eval job evaljob_" in err and "capitals  6/6 [########################] 100%" in err
    lines = out.splitlines()
    assert lines[0].startswith("benchmark capitals, model echo-1: 6 rows in ")
    assert lines[2].split() == ["SCORING", "FUNCTION", "ACCURACY", "CORRECT", "SCORED", "SKIPPED"]
    assert lines[4].split() == [SUBSET, "0.000", "0", "6", "0"]
    job_id = lines[-1].split()[3].rstrip(":")

    config["apis"].append("eval")
    with BackgroundServer(config, host=eval_plugin_host()) as running:
        result = httpx.get(f"{running.base_url}/eval/benchmarks/capitals/jobs/{job_id}/result")
    assert result.status_code == 200, result.text
    assert len(result.json()["generations"]) == 6

    assert main(["eval", "run", "nope", "--model", "echo-1", "--config", str(run_yaml)]) == 1
    assert "plugstack: error: benchmark 'nope' not found" in capsys.readouterr().err


@pytest.mark.slow
def test_no_eval_request_gets_a_server_error(server: BackgroundServer, fuzz_openapi: OpenAPIFuzzer) -> None:
    """schemathesis on the eval routes alone: no 500s, every error OpenAI-shaped."""
    routes = [r for r in server.app.routes if getattr(r, "path", "").startswith("/v1/eval")]
    document = openapi_document(routes, auth=False)
    operations = [result.ok() for result in schemathesis.openapi.from_dict(document).get_all_operations()]
    assert len(operations) == 9
    fuzz_openapi(document, operations, server.url, 15, lambda status: status < 500)
