"""Every distribution of the repo loads, and its providers exist and accept their configs.

Planning validates each enabled provider's config against its plugin's config model
without starting anything, so no provider contacts an upstream here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from plugstack.apis import Api
from plugstack.plugins import load_entry_points, new_plugin_host
from plugstack.resolver import plan_providers
from plugstack.run_config import load_run_config

REPO = Path(__file__).resolve().parents[1]
DISTRIBUTIONS = sorted(p.parent for p in (REPO / "distributions").glob("*/run.yaml"))


@pytest.fixture(scope="module")
def installed_host():  # type: ignore[no-untyped-def]
    host = new_plugin_host()
    load_entry_points(host)
    return host


@pytest.mark.parametrize("folder", DISTRIBUTIONS, ids=[d.name for d in DISTRIBUTIONS])
def test_distribution_is_complete(folder: Path, installed_host, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    assert (folder / "requirements.txt").is_file() and (folder / "README.md").is_file()
    config = load_run_config(folder / "run.yaml", {})
    assert config.distribution_name == folder.name
    planned = plan_providers(config, installed_host)
    assert planned, "a distribution must serve something without any variable set"
    for p in planned:
        plugin = installed_host.providers()[p.api][p.spec.provider_type][1]
        requirement = f"./plugins/{installed_host.packages[plugin][0]}"
        assert any(line.endswith(requirement) for line in (folder / "requirements.txt").read_text().splitlines()), (
            f"{folder.name}: {p.spec.provider_type} needs {requirement} in requirements.txt"
        )


def test_hosted_enables_exactly_the_providers_whose_credentials_are_set(installed_host) -> None:  # type: ignore[no-untyped-def]
    run_yaml = REPO / "distributions" / "hosted" / "run.yaml"
    bare = {p.provider_id for p in plan_providers(load_run_config(run_yaml, {}), installed_host)}
    assert bare == {"sentence-embeddings", "localfs", "sqlite-vec"}
    env = {"OPENAI_API_KEY": "sk-test", "GROQ_API_KEY": "gsk_test", "AWS_REGION": "eu-west-1"}
    config = load_run_config(run_yaml, env)
    enabled = {p.provider_id: p for p in plan_providers(config, installed_host) if p.api is Api.inference}
    assert set(enabled) == {"openai", "groq", "bedrock", "sentence-embeddings"}
    assert enabled["bedrock"].config.region == "eu-west-1"  # type: ignore[attr-defined]
    assert config.server.auth.api_keys == []  # auth stays off until PLUGSTACK_API_KEY is set
    with_key = load_run_config(run_yaml, {"PLUGSTACK_API_KEY": "k1"})
    assert [k.get_secret_value() for k in with_key.server.auth.api_keys] == ["k1"]
