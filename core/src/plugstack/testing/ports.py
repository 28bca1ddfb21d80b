"""Local addresses for tests: free ports, and where nothing listens, so a connection is refused at once."""

from __future__ import annotations

import socket

__all__ = ["free_port", "refused_url"]


def free_port() -> int:
    """A port of 127.0.0.1 that was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def refused_url() -> str:
    """``http://127.0.0.1:PORT`` for a port that was free a moment ago and that nothing listens on."""
    return f"http://127.0.0.1:{free_port()}"
