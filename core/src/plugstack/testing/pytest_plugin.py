"""The pytest plugin that ``pip install plugstack`` registers (entry point ``pytest11``).

It is imported by every pytest run in an environment with plugstack installed, so it
imports nothing heavy at module level (vcrpy is imported when a cassette is first used).

Fixtures:

- ``plugstack_cassette``: the test's HTTP traffic is recorded to, or replayed from,
  ``<package>/tests/cassettes/<module>/<test>.yaml`` (see :mod:`plugstack.testing.recording`
  for the modes of ``PLUGSTACK_TEST_MODE``). It yields a
  :class:`~plugstack.testing.recording.Recording`. A request that replay cannot answer
  fails the test, naming the request and the command that records it.
- ``plugstack_vcr_options``: extra ``vcr.VCR`` options for the cassettes of a package;
  override it in a ``conftest.py`` (e.g. ``{"skip_patchers": ("httpx",)}``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "plugstack_features(*names): features a conformance test needs")


@pytest.fixture
def plugstack_vcr_options() -> dict[str, Any]:
    """Extra ``vcr.VCR`` options for every cassette; override to change them."""
    return {}


@pytest.fixture
def plugstack_cassette(request: pytest.FixtureRequest, plugstack_vcr_options: dict[str, Any]) -> Iterator[Any]:
    """Record or replay this test's HTTP traffic; yields a ``Recording``."""
    from plugstack.testing.recording import cassette_path_for, use_cassette

    test_name = request.node.nodeid.split("::", 1)[-1]
    path = cassette_path_for(request.node.path, test_name)
    with use_cassette(path, **plugstack_vcr_options) as recording:
        yield recording
    if recording.misses:
        state = "has no matching interaction" if path.exists() else "does not exist"
        requests = "\n".join(f"  {miss.method} {miss.path} {miss.body}" for miss in recording.misses)
        pytest.fail(
            f"replay: the cassette {state} for these requests:\n{requests}\n"
            f"{recording.how_to_record(request.node.nodeid)}",
            pytrace=False,
        )
