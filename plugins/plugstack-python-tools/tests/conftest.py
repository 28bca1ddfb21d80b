from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import pytest

HERE = Path(__file__).parent


@pytest.fixture(autouse=True)
def _samples_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    """``python_tools_samples`` imports by path, like a module of the user's project."""
    monkeypatch.syspath_prepend(str(HERE))


@pytest.fixture
def samples(_samples_importable: None) -> ModuleType:
    """The sample functions module, imported the way the provider imports it."""
    return importlib.import_module("python_tools_samples")
