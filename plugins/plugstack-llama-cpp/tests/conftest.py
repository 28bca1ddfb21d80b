"""Fixtures of the llama-cpp plugin's tests: a tiny GGUF model written once per session.

llama-cpp-python is not a hard dependency of the plugin (see its pyproject), so without it
these tests skip, unless ``PLUGSTACK_REQUIRE_LLAMA_CPP`` is set (CI sets it): then they fail.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import plugstack_llama_cpp
import pytest
import pytest_asyncio

from plugstack.plugins import PluginHost, new_plugin_host
from plugstack.stack import Stack
from plugstack.testing.local_model import require_local_model
from plugstack.testing.tiny_gguf import write_tiny_gguf

RunConfigFactory = Callable[..., dict[str, Any]]


@pytest.fixture(autouse=True)
def _needs_llama_cpp() -> None:
    require_local_model("llama_cpp")


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_gguf(tmp_path_factory.mktemp("gguf") / "tiny.gguf")


@pytest.fixture
def host() -> PluginHost:
    """A plugin host with only this plugin registered (no entry points needed)."""
    h = new_plugin_host()
    assert h.register(plugstack_llama_cpp, name="llama-cpp")
    return h


@pytest.fixture
def run_config(tiny_model: Path) -> RunConfigFactory:
    """``run_config(**provider_config)``: a run config serving ``tiny`` (chat) and ``tiny-embed``."""

    def make(**provider_config: Any) -> dict[str, Any]:
        config: dict[str, Any] = {
            "models": [
                # a fresh KV cache per request, so that equal requests give bit-equal logprobs
                {
                    "model_id": "tiny",
                    "path": str(tiny_model),
                    "n_ctx": 1024,
                    "logprobs": True,
                    "reuse_prompt_prefix": False,
                },
                {"model_id": "tiny-embed", "path": str(tiny_model), "n_ctx": 256, "embedding": True},
            ]
        }
        config.update(provider_config)
        return {
            "distribution_name": "llama-cpp-test",
            "providers": {
                "inference": [{"provider_id": "llama", "provider_type": "inline::llama-cpp", "config": config}]
            },
        }

    return make


@pytest_asyncio.fixture
async def stack(host: PluginHost, run_config: RunConfigFactory) -> AsyncIterator[Stack]:
    async with await Stack.from_config(run_config(), host=host) as started:
        yield started
