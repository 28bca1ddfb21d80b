"""Both providers against the shared tool runtime conformance suite, from cassettes.

The cassettes were recorded against ``web_search_wire_server.py`` (see
``cassettes/README.md``). Recording with a real key in the environment (``TAVILY_API_KEY``,
``BRAVE_SEARCH_API_KEY``) talks to the real API instead; replay never needs either.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

from plugstack.testing.recording import current_mode
from plugstack.testing.tool_conformance import ToolRuntimeConformance

LOCAL_URL = "${env.PLUGSTACK_TEST_WEB_SEARCH_URL:=http://127.0.0.1:18441}"
LOCAL_KEY = "plugstack-local-key"  # what the wire server accepts


def search_config(key_env: str, local_path: str) -> dict[str, Any]:
    """The real API with the real key when recording with ``key_env`` set; else the local server."""
    if current_mode() != "replay" and os.environ.get(key_env):
        return {"api_key": f"${{env.{key_env}}}"}
    return {"api_key": LOCAL_KEY, "base_url": LOCAL_URL + local_path}


class WebSearchConformance(ToolRuntimeConformance):
    toolgroup_id = "builtin::web_search"
    tool_name = "web_search"
    tool_arguments: ClassVar[dict[str, Any]] = {"query": "Python programming language", "max_results": 3}
    expected_text = "Python"
    # valid by the schema, refused by both APIs (a query of at most 400 characters)
    failing_arguments: ClassVar[dict[str, Any] | None] = {"query": "python " * 80}
    sdk_modules = ("httpx", "plugstack_web_search.adapter")


class TestTavilyConformance(WebSearchConformance):
    provider_type = "remote::tavily-search"

    @classmethod
    def run_config(cls) -> dict[str, Any]:
        config = search_config("TAVILY_API_KEY", "/search")
        return {
            "distribution_name": "tavily-conformance",
            "providers": {
                "tool_runtime": [{"provider_id": "tavily", "provider_type": cls.provider_type, "config": config}]
            },
        }


class TestBraveConformance(WebSearchConformance):
    provider_type = "remote::brave-search"

    @classmethod
    def run_config(cls) -> dict[str, Any]:
        config = search_config("BRAVE_SEARCH_API_KEY", "/res/v1/web/search")
        return {
            "distribution_name": "brave-conformance",
            "providers": {
                "tool_runtime": [{"provider_id": "brave", "provider_type": cls.provider_type, "config": config}]
            },
        }
