"""``plugstack run local`` serves moderations, shields and tools offline, as its run.yaml is written.

A real uvicorn server on 127.0.0.1 serves ``distributions/local/run.yaml`` (state under a
temporary ``PLUGSTACK_HOME``); the official openai SDK moderates and uploads, httpx calls
the Llama Stack routes the SDK has no client for.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from plugstack.run_config import load_run_config
from plugstack.server.background import BackgroundServer
from plugstack.testing.local_model import require_local_model
from plugstack.testing.ports import refused_url

RUN_YAML = Path(__file__).resolve().parents[1] / "distributions" / "local" / "run.yaml"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundServer]:
    require_local_model()
    home = tmp_path_factory.mktemp("local-home")
    config = load_run_config(RUN_YAML, {"PLUGSTACK_HOME": str(home)})
    with BackgroundServer(config) as running:
        yield running


@pytest.fixture(scope="module")
def client(server: BackgroundServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=server.base_url, api_key="unused", max_retries=0) as client:
        yield client


def test_the_rules_shield_moderates_with_the_openai_sdk(client: openai.OpenAI) -> None:
    response = client.moderations.create(
        model="rules", input=["What is the capital of France?", "My card is 4111 1111 1111 1111", "ada@example.com"]
    )
    assert [r.flagged for r in response.results] == [False, True, True]
    flagged = [dict(r.categories) for r in response.results]
    assert flagged[1]["pii/credit_card"] is True and flagged[2]["pii/email"] is True
    assert not any(flagged[0].values())


def test_run_shield_and_shields(server: BackgroundServer) -> None:
    shields = httpx.get(f"{server.base_url}/shields").json()["data"]
    assert [s["id"] for s in shields] == ["rules"]
    blocked = httpx.post(
        f"{server.base_url}/safety/run-shield",
        json={"shield_id": "rules", "messages": [{"role": "user", "content": "call me on +1 415 555 2671"}]},
    ).json()
    assert blocked["violation"]["categories"] == ["pii/phone"]
    assert "+1 415" not in str(blocked), "a violation never repeats the PII it found"


def test_file_search_over_a_vector_store(server: BackgroundServer, client: openai.OpenAI) -> None:
    notes = client.files.create(
        file=("bananas.md", io.BytesIO(b"Bananas are yellow and curved.")), purpose="assistants"
    )
    other = client.files.create(file=("rocks.md", io.BytesIO(b"Granite is an igneous rock.")), purpose="assistants")
    store = client.vector_stores.create(name="notes", file_ids=[notes.id, other.id])
    deadline = time.monotonic() + 60
    while client.vector_stores.retrieve(store.id).file_counts.in_progress and time.monotonic() < deadline:
        time.sleep(0.1)
    tools = httpx.get(f"{server.base_url}/tools").json()["data"]
    assert [(t["toolgroup_id"], t["name"]) for t in tools] == [("builtin::file_search", "file_search")]
    answer = httpx.post(
        f"{server.base_url}/tool-runtime/invoke",
        json={
            "tool_name": "file_search",
            "kwargs": {"query": "what colour is a banana?", "vector_store_ids": [store.id]},
        },
        timeout=60,
    ).json()
    assert answer["metadata"]["results"][0]["filename"] == "bananas.md"
    refused = httpx.post(f"{server.base_url}/tool-runtime/invoke", json={"tool_name": "file_search", "kwargs": {}})
    assert refused.status_code == 400 and "query" in refused.json()["error"]["message"]


def test_an_mcp_group_whose_server_is_down_is_a_503_naming_it(server: BackgroundServer) -> None:
    started = time.monotonic()
    response = httpx.post(
        f"{server.base_url}/toolgroups",
        json={"toolgroup_id": "down", "provider_id": "mcp", "mcp_endpoint": {"uri": f"{refused_url()}/mcp"}},
        timeout=30,
    )
    assert response.status_code == 503
    assert "'down'" in response.json()["error"]["message"]
    assert time.monotonic() - started < 10
    assert httpx.get(f"{server.base_url}/toolgroups/down").status_code == 404
