"""Cassette options, and the local wire server that recordings talk to.

Replayed tests (the default) need nothing here but the header filter. When recording
(``PLUGSTACK_TEST_MODE=record``, ``record-if-missing`` or ``live``), ``web_search_wire_server.py``
is started on a free port for the session and ``PLUGSTACK_TEST_WEB_SEARCH_URL`` points the
run configs at it, unless that variable is already set (a server you started yourself).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from plugstack.testing.recording import SCRUBBED_HEADERS, current_mode

WIRE_URL_ENV = "PLUGSTACK_TEST_WEB_SEARCH_URL"


@pytest.fixture
def plugstack_vcr_options() -> dict[str, Any]:
    """Brave's key travels in ``X-Subscription-Token``, which the core does not scrub (yet): add it."""
    return {"filter_headers": [*SCRUBBED_HEADERS, "x-subscription-token"]}


@pytest.fixture(scope="session", autouse=True)
def _wire_server() -> Iterator[None]:
    if current_mode() == "replay" or os.environ.get(WIRE_URL_ENV):
        yield
        return
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    script = Path(__file__).with_name("web_search_wire_server.py")
    process = subprocess.Popen([sys.executable, str(script), "--port", str(port)])
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_listening(url, process)
        os.environ[WIRE_URL_ENV] = url
        yield
    finally:
        os.environ.pop(WIRE_URL_ENV, None)
        process.terminate()
        process.wait(timeout=10)


def _wait_until_listening(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the wire server exited with {process.returncode}")
        try:
            httpx.get(url + "/", timeout=0.5)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"the wire server did not listen at {url} within 15 s")
