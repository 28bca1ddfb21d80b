"""One session per job. Sessions run in the current environment (`make test` builds .venv
with every package of the repo installed editable), so nox adds no installs of its own:

    .venv/bin/nox -s tests lint types
    .venv/bin/nox -s "tests(package='plugins/plugstack-openai')"
    .venv/bin/nox -s bench
"""

from __future__ import annotations

import sys
from pathlib import Path

import nox

ROOT = Path(__file__).parent
# Every package of the repo: the core, each plugin, and the cross-package tests.
PACKAGES = [
    "core",
    *sorted(str(p.parent.relative_to(ROOT)) for p in ROOT.glob("plugins/*/pyproject.toml")),
    "tests",
    "bench",
]

nox.options.default_venv_backend = "none"
nox.options.sessions = ["tests", "lint", "types"]


@nox.session
@nox.parametrize("package", PACKAGES)
def tests(session: nox.Session, package: str) -> None:
    """The tests of one package (core, a plugin, or the cross-package tests/)."""
    session.run(sys.executable, "-m", "pytest", "-q", package, *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    session.run(sys.executable, "-m", "ruff", "check", ".")
    session.run(sys.executable, "-m", "ruff", "format", "--check", ".")


@nox.session
def types(session: nox.Session) -> None:
    session.run(sys.executable, "-m", "mypy")


@nox.session
def bench(session: nox.Session) -> None:
    """Every benchmark, each printing its figures and writing JSON under bench/results/:
    gateway overhead, throughput, cold start and memory (docs/performance.md); llama.cpp
    throughput through plugstack against llama-cpp-python directly; retrieval quality and
    speed per vector backend; what the rules shield, guardrails and an MCP tool call add to a
    request; what the Responses API adds over a chat completion, per round and per tool
    round; stored completions and responses under load (none may be lost); batch throughput
    against direct requests; rows scored per second. ``nox -s bench -- --full`` runs the gateway benchmark in full."""
    full = "--full" in session.posargs
    quick = [] if full else ["--quick"]
    session.run(sys.executable, "-m", "bench.run", *quick)
    session.run(sys.executable, "-m", "bench.llama_cpp_bench", *quick, "--json", "bench/results/llama_cpp.json")
    session.run(sys.executable, "-m", "bench.retrieval_bench", *quick, "--json", "bench/results/retrieval.json")
    session.run(sys.executable, "-m", "bench.safety_tools_bench", *quick, "--json", "bench/results/safety_tools.json")
    session.run(sys.executable, "-m", "bench.responses_bench", *quick, "--json", "bench/results/responses.json")
    session.run(sys.executable, "-m", "bench.store_load", "--count", "500" if quick else "2000", "--concurrency", "32")
    session.run(sys.executable, "-m", "bench.batch_bench", *quick)
    session.run(sys.executable, "-m", "bench.scoring_bench", *quick)


@nox.session
def bench_peers(session: nox.Session) -> None:
    """The same benchmark with LiteLLM and Llama Stack measured beside plugstack."""
    session.run(sys.executable, "-m", "bench.run", "--peers", *session.posargs)
