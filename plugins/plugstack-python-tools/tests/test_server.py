"""Server mode: a run config names functions by import path; tools are listed and invoked over HTTP."""

from __future__ import annotations

from types import ModuleType

import httpx
import plugstack_python_tools

from plugstack.plugins import new_plugin_host
from plugstack.server.background import BackgroundServer


def test_tools_over_http(samples: ModuleType) -> None:
    host = new_plugin_host()
    assert host.register(plugstack_python_tools, name="python_tools")
    config = {
        "distribution_name": "python-tools-server",
        "providers": {
            "tool_runtime": [
                {
                    "provider_id": "python",
                    "provider_type": "inline::python-functions",
                    "config": {
                        "toolgroup_id": "math",
                        "functions": ["python_tools_samples:add", "python_tools_samples:divide"],
                        "importable_modules": ["python_tools_samples"],
                    },
                }
            ]
        },
    }
    with BackgroundServer(config, host=host) as server, httpx.Client(base_url=server.base_url, timeout=10) as http:
        tools = http.get("/tools", params={"toolgroup_id": "math"}).json()["data"]
        assert [t["name"] for t in tools] == ["add", "divide"]
        assert tools[0]["parameters"]["required"] == ["a", "b"]

        answer = http.post("/tool-runtime/invoke", json={"tool_name": "add", "kwargs": {"a": 2, "b": 40}})
        assert answer.status_code == 200
        assert answer.json()["content"] == "42" and answer.json()["metadata"] == {"result": 42}

        failed = http.post("/tool-runtime/invoke", json={"tool_name": "divide", "kwargs": {"a": 1, "b": 0}})
        assert failed.status_code == 200  # the tool failed, not the server
        assert failed.json()["error_message"] == "ZeroDivisionError: float division by zero"

        refused = http.post("/tool-runtime/invoke", json={"tool_name": "add", "kwargs": {"a": "x", "b": 1}})
        assert refused.status_code == 400

        registered = http.post(
            "/toolgroups", json={"toolgroup_id": "words", "args": {"functions": ["python_tools_samples:lookup_word"]}}
        )
        assert registered.status_code == 200, registered.text
        word = http.post("/tool-runtime/invoke", json={"tool_name": "lookup_word", "kwargs": {"index": 0}})
        assert word.json()["content"] == "alpha"

        hostile = http.post("/toolgroups", json={"toolgroup_id": "shell", "args": {"functions": ["os:system"]}})
        assert hostile.status_code == 400
        assert "importable_modules" in hostile.json()["error"]["message"]
