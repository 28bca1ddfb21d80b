"""Settings every test in the repo shares."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_plugstack_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep SQLite files and distributions of tests out of the user's ~/.plugstack."""
    home = tmp_path_factory.mktemp("plugstack-home")
    monkeypatch.setenv("PLUGSTACK_HOME", str(home))
    return home
