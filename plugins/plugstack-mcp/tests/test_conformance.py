"""``remote::model-context-protocol`` against the shared tool runtime conformance suite.

The test server over streamable HTTP (uvicorn on 127.0.0.1). The suite starts a stack
per test; over stdio each would launch a Python process (seconds each), so stdio is
tested in ``test_mcp_provider.py`` instead. ``divide`` is the tool under test: it fails
(``isError``) when b is 0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import pytest

from plugstack.testing.tool_conformance import ToolRuntimeConformance

if TYPE_CHECKING:
    from conftest import HttpMcpServer


class TestMcpConformance(ToolRuntimeConformance):
    toolgroup_id = "mcp-http"
    tool_name = "divide"
    tool_arguments: ClassVar[dict[str, Any]] = {"a": 6, "b": 3}
    expected_text = "2"
    failing_arguments: ClassVar[dict[str, Any] | None] = {"a": 1, "b": 0}
    provider_type = "remote::model-context-protocol"
    sdk_modules = ("mcp", "httpx2", "plugstack_mcp.adapter")
    url: ClassVar[str] = ""

    @pytest.fixture(autouse=True)
    def _server(self, mcp_http_server: HttpMcpServer) -> None:
        type(self).url = mcp_http_server.url

    @classmethod
    def run_config(cls) -> dict[str, Any]:
        return {
            "distribution_name": "mcp-conformance",
            "providers": {
                "tool_runtime": [
                    {"provider_id": "mcp", "provider_type": "remote::model-context-protocol", "config": {}}
                ]
            },
            "registered_resources": {
                "tool_groups": [{"toolgroup_id": cls.toolgroup_id, "mcp_endpoint": {"uri": cls.url}}]
            },
        }
