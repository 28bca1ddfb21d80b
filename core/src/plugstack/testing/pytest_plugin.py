"""The pytest plugin that ``pip install plugstack`` registers (entry point ``pytest11``).

It is imported by every pytest run in an environment with plugstack installed, so it
imports nothing heavy at module level.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "plugstack_features(*names): features a conformance test needs")
