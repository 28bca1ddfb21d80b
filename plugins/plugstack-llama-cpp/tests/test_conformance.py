"""The inference conformance suite for ``inline::llama-cpp``, on the tiny generated model.

The tiny model writes gibberish, but grammar-constrained output (tool calls, JSON) is
valid whatever the weights, and greedy sampling is deterministic: that is all the suite
needs. No cassette: the provider runs in-process and makes no HTTP requests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, ClassVar

import plugstack_llama_cpp
import pytest
import pytest_asyncio

from plugstack.plugins import PluginHost, new_plugin_host
from plugstack.stack import Stack
from plugstack.testing.conformance import InferenceConformance


class TestLlamaCppConformance(InferenceConformance):
    chat_model = "tiny"
    provider_type = "inline::llama-cpp"
    sdk_modules = ("llama_cpp", "plugstack_llama_cpp.provider")
    embedding_model = "tiny-embed"
    unsupported: ClassVar[dict[str, str]] = {
        "embedding_dimensions": "llama.cpp embeddings have the model's own size; other sizes are refused (400)",
        "auth_error": "an in-process provider has no credentials",
    }
    model_path: ClassVar[Path]

    @pytest.fixture(autouse=True)
    def _tiny_model(self, tiny_model: Path) -> None:
        type(self).model_path = tiny_model

    @classmethod
    def run_config(cls, *, valid_credentials: bool = True) -> dict[str, Any]:
        models = [
            {"model_id": "tiny", "path": str(cls.model_path), "n_ctx": 8192},
            {"model_id": "tiny-embed", "path": str(cls.model_path), "n_ctx": 512, "embedding": True},
        ]
        return {
            "distribution_name": "llama-cpp-conformance",
            "providers": {
                "inference": [
                    {"provider_id": "llama", "provider_type": "inline::llama-cpp", "config": {"models": models}}
                ]
            },
        }

    @classmethod
    def plugin_host(cls) -> PluginHost:
        host = new_plugin_host()
        assert host.register(plugstack_llama_cpp, name="llama-cpp")
        return host

    @pytest_asyncio.fixture
    async def stack(self) -> AsyncIterator[Stack]:  # type: ignore[override]
        async with await Stack.from_config(self.run_config(), host=self.plugin_host()) as started:
            yield started
