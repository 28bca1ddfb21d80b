"""The conformance suite run against the in-process ``inline::echo`` provider.

This validates the suite itself: echo is deterministic and needs no network, so every test
it does not declare unsupported must pass from an empty cassette (no HTTP at all).
"""

from __future__ import annotations

from typing import Any, ClassVar

from plugstack.plugins import PluginHost, new_plugin_host
from plugstack.testing.conformance import InferenceConformance
from plugstack.testing.echo import EchoPlugin


class TestEchoConformance(InferenceConformance):
    chat_model = "echo-1"
    embedding_model = "echo-embed"
    unsupported: ClassVar[dict[str, str]] = {
        "structured_output": "echo repeats the user's text; it cannot follow a JSON schema",
        "upstream_not_found": "echo answers for any model id; it has no upstream to reject one",
        "cached_tokens": "echo has no prompt cache",
    }

    @classmethod
    def run_config(cls, *, valid_credentials: bool = True) -> dict[str, Any]:
        config: dict[str, Any] = {} if valid_credentials else {"api_key": "bad"}
        return {
            "distribution_name": "echo-conformance",
            "providers": {"inference": [{"provider_id": "echo", "provider_type": "inline::echo", "config": config}]},
        }

    @classmethod
    def plugin_host(cls) -> PluginHost:
        host = new_plugin_host()
        assert host.register(EchoPlugin(), name="echo")
        return host
