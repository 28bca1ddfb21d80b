"""``inline::python-functions`` against the shared tool runtime conformance suite, twice:
a sync function served from the provider's config, and an async one from a group
registered in the run config by import path."""

from __future__ import annotations

from typing import Any, ClassVar

import plugstack_python_tools

from plugstack.plugins import PluginHost, new_plugin_host
from plugstack.testing.tool_conformance import ToolRuntimeConformance


def python_tools_host() -> PluginHost:
    host = new_plugin_host()
    assert host.register(plugstack_python_tools, name="python_tools")
    return host


class TestConfigFunctionsConformance(ToolRuntimeConformance):
    toolgroup_id = "math"
    tool_name = "divide"
    tool_arguments: ClassVar[dict[str, Any]] = {"a": 10, "b": 4}
    expected_text = "2.5"
    failing_arguments: ClassVar[dict[str, Any] | None] = {"a": 1, "b": 0}
    provider_type = "inline::python-functions"
    sdk_modules = (
        "plugstack_python_tools.provider",
        "plugstack_python_tools.schema",
        "plugstack_python_tools.invocation",
        "plugstack_python_tools.library",
    )

    @classmethod
    def plugin_host(cls) -> PluginHost:
        return python_tools_host()

    @classmethod
    def run_config(cls) -> dict[str, Any]:
        return {
            "distribution_name": "python-tools-conformance",
            "providers": {
                "tool_runtime": [
                    {
                        "provider_id": "python",
                        "provider_type": "inline::python-functions",
                        "config": {
                            "toolgroup_id": "math",
                            "functions": ["python_tools_samples:add", "python_tools_samples:divide"],
                        },
                    }
                ]
            },
        }


class TestRegisteredGroupConformance(ToolRuntimeConformance):
    toolgroup_id = "words"
    tool_name = "lookup_word"
    tool_arguments: ClassVar[dict[str, Any]] = {"index": 1}
    expected_text = "beta"
    failing_arguments: ClassVar[dict[str, Any] | None] = {"index": 7}

    @classmethod
    def plugin_host(cls) -> PluginHost:
        return python_tools_host()

    @classmethod
    def run_config(cls) -> dict[str, Any]:
        return {
            "distribution_name": "python-tools-registered",
            "providers": {
                "tool_runtime": [
                    {
                        "provider_id": "python",
                        "provider_type": "inline::python-functions",
                        "config": {"importable_modules": ["python_tools_samples"]},
                    }
                ]
            },
            "registered_resources": {
                "tool_groups": [{"toolgroup_id": "words", "args": {"functions": ["python_tools_samples:lookup_word"]}}]
            },
        }
