"""Tool groups of MCP servers through plugstack's own HTTP server (a real uvicorn), with httpx.

The run config serves two providers of this type: ``mcp`` (registration refuses a server
it cannot reach) and ``mcp-lenient`` (``check_on_register: warn``), which holds a group
whose server is down from the start.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from plugstack.server.background import BackgroundServer
from plugstack.testing.ports import refused_url

if TYPE_CHECKING:
    from conftest import HttpMcpServer

TOKEN = "sk-test-fedcba9876543210"


@pytest.fixture
def server(mcp_http_server: HttpMcpServer, tmp_path: Any) -> Iterator[BackgroundServer]:
    config = {
        "distribution_name": "mcp-http",
        "providers": {
            "tool_runtime": [
                {"provider_id": "mcp", "provider_type": "remote::model-context-protocol", "config": {}},
                {
                    "provider_id": "mcp-lenient",
                    "provider_type": "remote::model-context-protocol",
                    "config": {"check_on_register": "warn", "connect_timeout": 1},
                },
            ]
        },
        "registered_resources": {
            "tool_groups": [
                {
                    "toolgroup_id": "calc",
                    "provider_id": "mcp",
                    "mcp_endpoint": {"uri": mcp_http_server.url},
                    "args": {"headers": {"Authorization": f"Bearer {TOKEN}"}},
                },
                {"toolgroup_id": "gone", "provider_id": "mcp-lenient", "mcp_endpoint": {"uri": refused_url() + "/mcp"}},
            ]
        },
        "storage": {"kvstore": {"db_path": str(tmp_path / "kvstore.db")}},
    }
    with BackgroundServer(config) as running:
        yield running


@pytest.fixture
def client(server: BackgroundServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10) as http:
        yield http


def test_the_tools_of_reachable_groups_are_listed(client: httpx.Client) -> None:
    response = client.get("/v1/tools")
    assert response.status_code == 200, response.text
    tools = {tool["name"]: tool for tool in response.json()["data"]}
    assert tools["add"]["toolgroup_id"] == "calc"
    assert tools["add"]["parameters"]["required"] == ["a", "b"]
    assert tools["add"]["metadata"]["annotations"]["readOnlyHint"] is True
    assert {tool["toolgroup_id"] for tool in tools.values()} == {"calc"}  # "gone" is left out, not an error


def test_a_tool_is_invoked_with_the_groups_headers(client: httpx.Client) -> None:
    response = client.post("/v1/tool-runtime/invoke", json={"tool_name": "add", "kwargs": {"a": 20, "b": 22}})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["content"] == [{"type": "text", "text": "42"}]
    assert body["metadata"]["structured_content"] == {"result": 42}
    assert body["error_message"] is None
    header = client.post("/v1/tool-runtime/invoke", json={"tool_name": "header", "kwargs": {"name": "authorization"}})
    assert header.json()["content"][0]["text"] == f"Bearer {TOKEN}"


def test_failures_and_bad_arguments(client: httpx.Client) -> None:
    failed = client.post("/v1/tool-runtime/invoke", json={"tool_name": "divide", "kwargs": {"a": 1, "b": 0}})
    assert failed.status_code == 200
    assert "division by zero" in failed.json()["error_message"]
    refused = client.post("/v1/tool-runtime/invoke", json={"tool_name": "add", "kwargs": {"a": 1}})
    assert refused.status_code == 400
    assert "b" in refused.json()["error"]["message"]


def test_a_group_whose_server_is_down_is_a_503_naming_it(client: httpx.Client) -> None:
    start = time.monotonic()
    response = client.get("/v1/tools", params={"toolgroup_id": "gone"})
    assert time.monotonic() - start < 3
    assert response.status_code == 503
    error = response.json()["error"]
    assert "tool group 'gone'" in error["message"]
    assert error["code"] == "tool_group_unavailable"


def test_registering_an_unreachable_server_is_refused_and_a_reachable_one_kept(
    client: httpx.Client, mcp_http_server: HttpMcpServer
) -> None:
    refused = client.post(
        "/v1/toolgroups",
        json={"toolgroup_id": "late", "provider_id": "mcp", "mcp_endpoint": {"uri": refused_url() + "/mcp"}},
    )
    assert refused.status_code == 503
    assert "tool group 'late'" in refused.json()["error"]["message"]
    assert client.get("/v1/toolgroups/late").status_code == 404
    bad = client.post("/v1/toolgroups", json={"toolgroup_id": "bad", "provider_id": "mcp", "args": {"command": 3}})
    assert bad.status_code == 400
    added = client.post(
        "/v1/toolgroups",
        json={
            "toolgroup_id": "more",
            "provider_id": "mcp",
            "mcp_endpoint": {"uri": mcp_http_server.url},
            "args": {"headers": {"Authorization": f"Bearer {TOKEN}"}},
        },
    )
    assert added.status_code == 200, added.text
    assert TOKEN not in added.text  # the group is answered with its secrets redacted
    assert TOKEN not in client.get("/v1/toolgroups").text
    assert "more" in {tool["toolgroup_id"] for tool in client.get("/v1/tools").json()["data"]}
    assert client.delete("/v1/toolgroups/more").status_code == 200
    assert "more" not in {tool["toolgroup_id"] for tool in client.get("/v1/tools").json()["data"]}
