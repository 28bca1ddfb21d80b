"""The HTTP targets of a run: how each server is started, and where the load goes.

Every gateway forwards to the same mock upstream and runs one worker pinned to the
gateway core; the mock itself shares the load generator's core. The peers (LiteLLM,
Llama Stack) are defined in :mod:`bench.peers`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench.procs import ServerProcess, free_port

__all__ = [
    "CHAT_MODEL",
    "MOCK",
    "PASSTHROUGH",
    "PLUGSTACK",
    "Target",
    "mcp_target",
    "mock_target",
    "passthrough_target",
    "plugstack_target",
]

CHAT_MODEL = "mock-chat"
MOCK = "mock direct"
PASSTHROUGH = "aiohttp pass-through"
PLUGSTACK = "plugstack server"
UPSTREAM_API_KEY = "bench-not-a-secret"


@dataclass
class Target:
    """A server under load: ``base_url`` ends in ``/v1``; ``model`` is what clients ask for."""

    name: str
    server: ServerProcess
    base_url: str
    model: str = CHAT_MODEL
    config_path: Path | None = None  # the server's config file, recorded with the results

    @property
    def chat_url(self) -> str:
        return self.base_url + "/chat/completions"


def _bin(name: str) -> str:
    """A console script of the running interpreter's environment."""
    return str(Path(sys.executable).parent / name)


def mock_target(workdir: Path, core: int) -> Target:
    port = free_port()
    server = ServerProcess(
        name="mock",
        command=[sys.executable, "-m", "bench.mock_upstream", "--port", str(port)],
        ready_url=f"http://127.0.0.1:{port}/v1/models",
        core=core,
        log_path=workdir / "mock.log",
        cwd=Path(__file__).resolve().parent.parent,
    )
    return Target(MOCK, server, f"http://127.0.0.1:{port}/v1")


def mcp_target(workdir: Path, core: int) -> Target:
    """``bench.mcp_server``: one cheap MCP tool over streamable HTTP; ``base_url`` is its endpoint."""
    port = free_port()
    server = ServerProcess(
        name="mcp",
        command=[sys.executable, "-m", "bench.mcp_server", "--port", str(port)],
        ready_url=f"http://127.0.0.1:{port}/mcp",
        core=core,
        log_path=workdir / "mcp.log",
        cwd=Path(__file__).resolve().parent.parent,
        ready_statuses=(200, 400, 405, 406),  # an MCP endpoint answers a bare GET with an error
    )
    return Target("mcp server", server, f"http://127.0.0.1:{port}/mcp")


def passthrough_target(workdir: Path, core: int, upstream: str) -> Target:
    """``upstream`` is the mock's origin (``http://127.0.0.1:PORT``)."""
    port = free_port()
    server = ServerProcess(
        name="pass-through",
        command=[
            _bin("uvicorn"),
            "bench.passthrough:app",
            "--port",
            str(port),
            "--workers",
            "1",
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        ready_url=f"http://127.0.0.1:{port}/v1/models",
        core=core,
        log_path=workdir / "passthrough.log",
        env={"BENCH_UPSTREAM": upstream},
        cwd=Path(__file__).resolve().parent.parent,
    )
    return Target(PASSTHROUGH, server, f"http://127.0.0.1:{port}/v1")


def plugstack_run_config(upstream: str) -> dict[str, object]:
    """A one-provider run config: ``remote::openai-compatible`` pointed at the mock."""
    return {
        "distribution_name": "bench",
        "providers": {
            "inference": [
                {
                    "provider_id": "mock",
                    "provider_type": "remote::openai-compatible",
                    "config": {"base_url": upstream + "/v1", "api_key": UPSTREAM_API_KEY, "models": [CHAT_MODEL]},
                }
            ]
        },
    }


def plugstack_target(workdir: Path, core: int, upstream: str, config: dict[str, object] | None = None) -> Target:
    """``plugstack run`` with its defaults (log level included), state kept under ``workdir``.

    ``config`` is the run config (default: :func:`plugstack_run_config` of ``upstream``).
    """
    port = free_port()
    config_path = workdir / "plugstack-run.yaml"
    config_path.write_text(yaml.safe_dump(config or plugstack_run_config(upstream)))
    server = ServerProcess(
        name="plugstack",
        command=[_bin("plugstack"), "run", str(config_path), "--port", str(port)],
        ready_url=f"http://127.0.0.1:{port}/v1/models",
        core=core,
        log_path=workdir / "plugstack.log",
        env={"PLUGSTACK_HOME": str(workdir / "plugstack-home")},
    )
    return Target(PLUGSTACK, server, f"http://127.0.0.1:{port}/v1", config_path=config_path)
