"""The gateways users would otherwise pick: LiteLLM proxy and Llama Stack, each in its own venv.

Each peer is installed once with pip into ``~/.cache/plugstack/bench-peers/<name>/`` (so
its dependencies never meet ours) and configured to forward to the same mock upstream,
one worker, no auth, default logging. A peer that cannot be installed or started is
reported as skipped with the reason; the run goes on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bench.procs import ServerProcess, free_port
from bench.targets import CHAT_MODEL, UPSTREAM_API_KEY, Target

__all__ = ["PEERS", "Peer", "installed_versions"]

CACHE = Path(os.environ.get("PLUGSTACK_BENCH_PEERS", Path.home() / ".cache" / "plugstack" / "bench-peers"))
_INSTALL_TIMEOUT = 1800


@dataclass(frozen=True)
class Peer:
    name: str
    venv: str
    requirements: list[str]
    distribution: str  # whose version to report
    build: Callable[[Peer, Path, int, str], Target]

    @property
    def python(self) -> Path:
        return CACHE / self.venv / "bin" / "python"

    def ensure_installed(self) -> str | None:
        """Install into the peer's venv if needed; the reason when that fails, else ``None``."""
        marker = CACHE / self.venv / ".bench-installed"
        wanted = json.dumps(self.requirements)
        if marker.is_file() and marker.read_text() == wanted:
            return None
        log = CACHE / f"{self.venv}.install.log"
        CACHE.mkdir(parents=True, exist_ok=True)
        steps = [
            [sys.executable, "-m", "venv", str(CACHE / self.venv)],
            [str(self.python), "-m", "pip", "install", "-q", *self.requirements],
        ]
        print(f"  installing {self.name} into {CACHE / self.venv} (log: {log})", flush=True)
        with log.open("w") as out:
            for step in steps:
                try:
                    done = subprocess.run(step, stdout=out, stderr=subprocess.STDOUT, timeout=_INSTALL_TIMEOUT)
                except subprocess.TimeoutExpired:
                    return f"`{' '.join(step)}` took over {_INSTALL_TIMEOUT} s"
                if done.returncode != 0:
                    return f"`{' '.join(step)}` failed with code {done.returncode} (see {log})"
        marker.write_text(wanted)
        return None

    def version(self) -> str | None:
        if not self.python.is_file():
            return None
        code = f"from importlib.metadata import version; print(version({self.distribution!r}))"
        done = subprocess.run([str(self.python), "-c", code], capture_output=True, text=True)
        return done.stdout.strip() or None

    def target(self, workdir: Path, core: int, upstream: str) -> Target | str:
        """The peer's server, or why it cannot be measured."""
        reason = self.ensure_installed()
        return reason if reason is not None else self.build(self, workdir, core, upstream)


def _litellm(peer: Peer, workdir: Path, core: int, upstream: str) -> Target:
    config = {
        "model_list": [
            {
                "model_name": CHAT_MODEL,
                "litellm_params": {
                    "model": f"openai/{CHAT_MODEL}",
                    "api_base": upstream + "/v1",
                    "api_key": UPSTREAM_API_KEY,
                },
            }
        ]
    }
    config_path = workdir / "litellm.yaml"
    config_path.write_text(yaml.safe_dump(config))
    port = free_port()
    server = ServerProcess(
        name=peer.name,
        command=[
            str(peer.python.parent / "litellm"),
            "--config",
            str(config_path),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--num_workers",
            "1",
        ],
        ready_url=f"http://127.0.0.1:{port}/v1/models",
        core=core,
        log_path=workdir / "litellm.log",
        env={
            # no master key, like the other targets (it refuses to start without one otherwise)
            "LITELLM_DANGEROUSLY_PERMIT_WEAK_OR_UNSET_MASTER_KEY": "true",
            "LITELLM_LOCAL_MODEL_COST_MAP": "True",  # offline: do not fetch the price list
        },
        cwd=workdir,
        start_timeout=120,
    )
    return Target(peer.name, server, f"http://127.0.0.1:{port}/v1", config_path=config_path)


def _llama_stack(peer: Peer, workdir: Path, core: int, upstream: str) -> Target:
    """Its OpenAI-compatible route, ``remote::vllm`` (an OpenAI-compatible client) to the mock."""
    state = workdir / "llama-stack"
    state.mkdir(exist_ok=True)
    port = free_port()
    config: dict[str, Any] = {
        "version": "2",
        "image_name": "bench",
        "apis": ["inference"],
        "providers": {
            "inference": [
                {
                    "provider_id": "mock",
                    "provider_type": "remote::vllm",
                    "config": {"url": upstream + "/v1", "api_token": UPSTREAM_API_KEY, "tls_verify": False},
                }
            ]
        },
        "metadata_store": {"type": "sqlite", "db_path": str(state / "registry.db")},
        "inference_store": {"type": "sqlite", "db_path": str(state / "inference_store.db")},
        "models": [
            {"model_id": CHAT_MODEL, "provider_id": "mock", "provider_model_id": CHAT_MODEL, "model_type": "llm"}
        ],
        "server": {"port": port},
    }
    config_path = workdir / "llama-stack-run.yaml"
    config_path.write_text(yaml.safe_dump(config))
    server = ServerProcess(
        name=peer.name,
        command=[
            str(peer.python),
            "-m",
            "llama_stack.distribution.server.server",
            "--config",
            str(config_path),
            "--port",
            str(port),
        ],
        ready_url=f"http://127.0.0.1:{port}/v1/openai/v1/models",
        core=core,
        log_path=workdir / "llama-stack.log",
        cwd=state,
        start_timeout=120,
    )
    return Target(peer.name, server, f"http://127.0.0.1:{port}/v1/openai/v1", config_path=config_path)


PEERS = [
    Peer("LiteLLM proxy", "litellm", ["litellm[proxy]"], "litellm", _litellm),
    # The server needs what `llama stack build` would add for this config; the newest
    # llama-stack that installs on Python 3.11 is 0.2.x (later releases need 3.12).
    Peer(
        "Llama Stack",
        "llama-stack",
        [
            "llama-stack",
            "opentelemetry-sdk",
            "opentelemetry-exporter-otlp-proto-http",
            "aiosqlite",
            "sqlalchemy[asyncio]",
            "uvicorn",
        ],
        "llama-stack",
        _llama_stack,
    ),
]


def installed_versions() -> dict[str, str | None]:
    return {peer.name: peer.version() for peer in PEERS}
