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
PACKAGES = ["core", *sorted(str(p.parent.relative_to(ROOT)) for p in ROOT.glob("plugins/*/pyproject.toml")), "tests"]

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
    """Gateway overhead, throughput, cold start and memory; prints a table, writes JSON."""
    session.run(sys.executable, "-m", "bench.run", *(session.posargs or ["--quick"]))


@nox.session
def bench_peers(session: nox.Session) -> None:
    """The same benchmark with LiteLLM and Llama Stack measured beside plugstack."""
    session.run(sys.executable, "-m", "bench.run", "--peers", *session.posargs)
