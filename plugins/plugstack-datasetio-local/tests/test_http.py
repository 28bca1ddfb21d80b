"""Datasets over HTTP: a real server on 127.0.0.1, the official ``openai`` SDK to upload, ``httpx`` for the rest."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import plugstack_datasetio_local
import plugstack_localfs
import pytest

from plugstack.plugins import new_plugin_host
from plugstack.server.background import BackgroundServer

ROWS = [{"question": f"What is {i} + {i}?", "answer": str(2 * i)} for i in range(7)]


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("datasetio-http")
    (root / "qa.jsonl").write_text("".join(json.dumps(row) + "\n" for row in ROWS))
    return root


@pytest.fixture(scope="module")
def server(root: Path) -> Iterator[BackgroundServer]:
    host = new_plugin_host()
    assert host.register(plugstack_datasetio_local, name="datasetio_local")
    assert host.register(plugstack_localfs, name="localfs")
    config: dict[str, Any] = {
        "distribution_name": "datasetio-http",
        "providers": {
            "files": [
                {"provider_id": "files", "provider_type": "inline::localfs", "config": {"storage_dir": str(root / "f")}}
            ],
            "datasetio": [
                {"provider_id": "local", "provider_type": "inline::localfs", "config": {"allowed_dirs": [str(root)]}}
            ],
        },
        "storage": {"kvstore": {"db_path": str(root / "kv.db")}, "sqlstore": {"db_path": str(root / "sql.db")}},
        "registered_resources": {
            "datasets": [
                {
                    "dataset_id": "qa",
                    "purpose": "eval/question-answer",
                    "source": {"type": "uri", "uri": (root / "qa.jsonl").as_uri()},
                }
            ]
        },
    }
    with BackgroundServer(config, host=host) as server:
        yield server


@pytest.fixture
def client(server: BackgroundServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url) as client:
        yield client


def error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()["error"]
    assert set(body) == {"message", "type", "param", "code"}
    return body


def test_pages_of_a_run_config_dataset(client: httpx.Client) -> None:
    listed = client.get("/v1/datasets").json()
    assert [d["id"] for d in listed["data"]] == ["qa"] and listed["data"][0]["provider_id"] == "local"
    rows, start = [], 0
    while start is not None:
        page = client.get("/v1/datasetio/iterrows/qa", params={"start_index": start, "limit": 3}).json()
        assert page["has_more"] == (page["next_start_index"] is not None)
        rows.extend(page["data"])
        start = page["next_start_index"]
    assert rows == ROWS
    assert client.get("/v1/datasetio/iterrows/qa").json()["data"] == ROWS  # no limit: every row


def test_a_file_uploaded_with_the_openai_sdk_becomes_a_dataset(server: BackgroundServer, client: httpx.Client) -> None:
    sdk = openai.OpenAI(base_url=server.base_url, api_key="unused", max_retries=0)
    csv = "question,answer\n" + "".join(f"{r['question']},{r['answer']}\n" for r in ROWS)
    file = sdk.files.create(file=("qa.csv", io.BytesIO(csv.encode()), "text/csv"), purpose="evals")
    created = client.post(
        "/v1/datasets",
        json={"purpose": "eval/question-answer", "source": {"type": "uri", "uri": file.id}, "metadata": {"by": "me"}},
    )
    assert created.status_code == 200, created.text
    dataset = created.json()
    assert dataset["id"].startswith("dataset-") and dataset["metadata"] == {"by": "me"}
    assert client.get(f"/v1/datasets/{dataset['id']}").json() == dataset
    page = client.get(f"/v1/datasetio/iterrows/{dataset['id']}", params={"start_index": 5}).json()
    assert page == {"data": ROWS[5:], "has_more": False, "next_start_index": None}
    assert client.delete(f"/v1/datasets/{dataset['id']}").json()["id"] == dataset["id"]
    assert error(client.get(f"/v1/datasets/{dataset['id']}"), 404)["param"] == "dataset_id"


def test_rows_are_appended_and_read_back(client: httpx.Client) -> None:
    body = {"dataset_id": "inline", "purpose": "eval/messages-answer", "source": {"type": "rows", "rows": ROWS[:2]}}
    assert client.post("/v1/datasets", json=body).status_code == 200
    appended = client.post("/v1/datasetio/append-rows/inline", json={"rows": ROWS[2:4]})
    assert appended.json() == {"dataset_id": "inline", "appended": 2}
    assert client.get("/v1/datasetio/iterrows/inline", params={"start_index": 1}).json()["data"] == ROWS[1:4]
    assert error(client.post("/v1/datasets", json=body), 409)["param"] == "dataset_id"


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "param", "words"),
    [
        ("get", "/v1/datasetio/iterrows/qa", {"params": {"limit": "ten"}}, 400, "limit", "must be an integer"),
        ("get", "/v1/datasetio/iterrows/qa", {"params": {"start_index": -2}}, 400, "start_index", "0 or more"),
        ("get", "/v1/datasetio/iterrows/nope", {}, 404, "dataset_id", "'nope' not found"),
        ("post", "/v1/datasetio/append-rows/qa", {"json": {"rows": []}}, 400, "rows", "at least 1"),
        ("post", "/v1/datasetio/append-rows/qa", {"json": {"rows": [1]}}, 400, "rows.0", "an object"),
        (
            "post",
            "/v1/datasets",
            {
                "json": {
                    "purpose": "eval/question-answer",
                    "source": {"type": "uri", "uri": "https://x.test/a?k=SECRET"},
                }
            },
            400,
            "source.uri",
            "reads no network",
        ),
        (
            "post",
            "/v1/datasets",
            {"json": {"purpose": "train", "source": {"type": "rows", "rows": []}}},
            400,
            "purpose",
            "",
        ),
        (
            "post",
            "/v1/datasets",
            {"json": {"purpose": "eval/question-answer", "source": {}}},
            400,
            "source",
            "'uri' or 'rows'",
        ),
    ],
)
def test_bad_requests_are_openai_shaped_errors(
    client: httpx.Client, method: str, path: str, kwargs: dict[str, Any], status: int, param: str, words: str
) -> None:
    body = error(client.request(method.upper(), path, **kwargs), status)
    assert body["param"] == param and words in body["message"]
    assert "SECRET" not in body["message"]


def test_a_malformed_line_is_a_400_naming_it(root: Path, client: httpx.Client) -> None:
    (root / "broken.jsonl").write_text('{"a": 1}\n{"a": 2\n')
    body = {"dataset_id": "broken", "purpose": "eval/question-answer"}
    source = {"type": "uri", "uri": (root / "broken.jsonl").as_uri()}
    assert client.post("/v1/datasets", json={**body, "source": source}).status_code == 200
    assert client.get("/v1/datasetio/iterrows/broken", params={"limit": 1}).json()["data"] == [{"a": 1}]
    failed = error(client.get("/v1/datasetio/iterrows/broken"), 400)
    assert "line 2 is not valid JSON" in failed["message"] and failed["code"] == "invalid_row"
    csv_source = {"type": "uri", "uri": (root / "broken.jsonl").as_uri()}
    assert (
        client.post(
            "/v1/datasets", json={**body, "dataset_id": "csvish", "source": csv_source, "metadata": {"format": "csv"}}
        ).status_code
        == 200
    )
    assert (
        error(client.post("/v1/datasetio/append-rows/csvish", json={"rows": [{"a": 3}]}), 501)["param"] == "dataset_id"
    )


def test_the_routes_are_in_the_openapi_document(server: BackgroundServer) -> None:
    paths = httpx.get(server.url + "/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/v1/datasets"])
    assert {"get", "delete"} <= set(paths["/v1/datasets/{dataset_id}"])
    assert "get" in paths["/v1/datasetio/iterrows/{dataset_id}"]
    assert "post" in paths["/v1/datasetio/append-rows/{dataset_id}"]
