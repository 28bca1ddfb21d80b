"""Every cassette committed anywhere in the repo is free of credentials.

Cassettes are scrubbed when recorded (``plugstack.testing.recording``); this test catches a
cassette recorded some other way, edited by hand, or scrubbed by an older version.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from plugstack.testing.recording import find_secrets

REPO = Path(__file__).resolve().parents[1]


def cassettes() -> list[Path]:
    """``**/tests/cassettes/**/*.yaml``, not descending into hidden folders such as .venv."""
    found = []
    for folder, subfolders, files in os.walk(REPO):
        subfolders[:] = [name for name in subfolders if not name.startswith(".") and name != "node_modules"]
        relative = Path(folder).relative_to(REPO).parts
        if "cassettes" in relative and "tests" in relative[: relative.index("cassettes")]:
            found += [Path(folder) / name for name in files if name.endswith(".yaml")]
    return sorted(found)


CASSETTES = cassettes()


@pytest.mark.parametrize("cassette", CASSETTES, ids=[str(p.relative_to(REPO)) for p in CASSETTES])
def test_cassette_holds_no_secret(cassette: Path) -> None:
    leaks = find_secrets(cassette.read_text(encoding="utf-8"))
    assert not leaks, f"{cassette.relative_to(REPO)} holds secret-looking values: {', '.join(leaks)}"
