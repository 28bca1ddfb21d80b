"""Local addresses for tests: where nothing listens, so a connection is refused at once."""

from __future__ import annotations

import socket

__all__ = ["refused_url"]


def refused_url() -> str:
    """``http://127.0.0.1:PORT`` for a port that was free a moment ago and that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"
