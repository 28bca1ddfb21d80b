"""``inline::file-search`` over HTTP: a real uvicorn on 127.0.0.1, files and stores through the openai SDK.

The tool endpoints (``/v1/toolgroups``, ``/v1/tools``, ``/v1/tool-runtime/invoke``) are
not in the openai SDK, so they are called with httpx; errors must come back in OpenAI's
error shape with the status the caller can act on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import openai
import pytest

from plugstack.plugins import PluginHost
from plugstack.server.background import BackgroundServer

STORE_ID = "science-and-baking"
PLANTS = "How do green plants make food from light?"


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory,
    make_config: Callable[..., dict[str, Any]],
    make_host: Callable[[], PluginHost],
) -> Iterator[BackgroundServer]:
    config = make_config(tmp_path_factory.mktemp("file-search-http"))
    with BackgroundServer(config, host=make_host()) as running:
        yield running


@pytest.fixture(scope="module")
def file_ids(server: BackgroundServer, documents: dict[str, tuple[str, dict[str, str]]]) -> dict[str, str]:
    """The documents uploaded and ingested into the declared store, as an application would."""
    ids = {}
    with openai.OpenAI(base_url=server.base_url, api_key="unused", max_retries=0) as client:
        for filename, (text, attributes) in documents.items():
            file_id = client.files.create(file=(filename, text.encode()), purpose="assistants").id
            attrs: dict[str, str | float | bool] = dict(attributes)
            attached = client.vector_stores.files.create_and_poll(
                file_id=file_id, vector_store_id=STORE_ID, attributes=attrs, poll_interval_ms=20
            )
            assert attached.status == "completed"
            ids[filename] = file_id
    return ids


@pytest.fixture(scope="module")
def http(server: BackgroundServer, file_ids: dict[str, str]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        yield client


def invoke(http: httpx.Client, kwargs: dict[str, Any], tool_name: str = "file_search") -> httpx.Response:
    return http.post("/tool-runtime/invoke", json={"tool_name": tool_name, "kwargs": kwargs})


def test_the_default_group_and_its_tool_are_listed(http: httpx.Client) -> None:
    groups = http.get("/toolgroups").json()["data"]
    assert [(g["id"], g["provider_id"]) for g in groups] == [("builtin::file_search", "file-search")]
    assert groups[0]["args"]["vector_store_ids"] == [STORE_ID]
    tools = http.get("/tools", params={"toolgroup_id": "builtin::file_search"}).json()["data"]
    assert [tool["name"] for tool in tools] == ["file_search"]
    assert tools[0]["parameters"]["required"] == ["query"]
    assert tools[0]["parameters"]["properties"]["max_num_results"]["maximum"] == 50


def test_invoking_answers_what_the_vector_store_search_answers(http: httpx.Client, file_ids: dict[str, str]) -> None:
    response = invoke(http, {"query": PLANTS, "max_num_results": 2})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["error_message"] is None
    results = body["metadata"]["results"]
    assert results[0]["filename"] == "photosynthesis.md"
    assert results[0]["file_id"] == file_ids["photosynthesis.md"]
    assert "[1] photosynthesis.md (file_id: " in body["content"][1]["text"]

    direct = http.post(f"/vector_stores/{STORE_ID}/search", json={"query": PLANTS, "max_num_results": 2}).json()
    assert [(r["file_id"], r["score"], r["content"][0]["text"]) for r in direct["data"]] == [
        (r["file_id"], r["score"], r["text"]) for r in results
    ]


def test_an_unknown_vector_store_is_a_404(http: httpx.Client) -> None:
    response = invoke(http, {"query": PLANTS, "vector_store_ids": ["vs_missing"]})
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["message"] == "vector store 'vs_missing' not found" and error["param"] == "vector_store_id"


def test_arguments_the_schema_refuses_are_a_400(http: httpx.Client) -> None:
    response = invoke(http, {"max_num_results": 3})
    assert response.status_code == 400
    assert "'query' is a required property" in response.json()["error"]["message"]


def test_groups_registered_over_http_are_checked_and_served(http: httpx.Client) -> None:
    bad = http.post("/toolgroups", json={"toolgroup_id": "docs", "args": {"max_chars_per_result": 0}})
    assert bad.status_code == 400 and "max_chars_per_result" in bad.json()["error"]["message"]

    args = {"tool_name": "search_kitchen", "vector_store_ids": [STORE_ID], "search_mode": "keyword"}
    registered = http.post("/toolgroups", json={"toolgroup_id": "kitchen", "provider_id": "file-search", "args": args})
    assert registered.status_code == 200, registered.text
    try:
        response = invoke(http, {"query": "yeast oven", "max_num_results": 1}, tool_name="search_kitchen")
        assert [r["filename"] for r in response.json()["metadata"]["results"]] == ["bread.html"]
    finally:
        assert http.delete("/toolgroups/kitchen").status_code == 200
    assert invoke(http, {"query": "yeast"}, tool_name="search_kitchen").status_code == 404
