"""What the tests share: a plugin host with this plugin and ``inline::localfs`` files, and run configs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import plugstack_datasetio_local
import plugstack_localfs
import pytest

from plugstack.plugins import PluginHost, new_plugin_host
from plugstack.stack import Stack

RunConfig = Callable[..., dict[str, Any]]


@pytest.fixture
def host() -> PluginHost:
    """Only this plugin and ``inline::localfs`` files: the other installed plugins play no part."""
    host = new_plugin_host()
    assert host.register(plugstack_datasetio_local, name="datasetio_local")
    assert host.register(plugstack_localfs, name="localfs")
    return host


@pytest.fixture
def config(tmp_path: Path) -> RunConfig:
    """``config(datasets=[...], files=True, **provider_config)``: a run config reading under ``tmp_path``."""

    def make(*, datasets: list[dict[str, Any]] | None = None, files: bool = True, **datasetio: Any) -> dict[str, Any]:
        provider = {"provider_type": "inline::localfs", "config": {"allowed_dirs": [str(tmp_path)], **datasetio}}
        providers: dict[str, Any] = {"datasetio": [{"provider_id": "local", **provider}]}
        if files:
            storage_dir = str(tmp_path / "files")
            providers["files"] = [
                {"provider_id": "files", "provider_type": "inline::localfs", "config": {"storage_dir": storage_dir}}
            ]
        return {
            "distribution_name": "datasetio-test",
            "providers": providers,
            "storage": {
                "kvstore": {"db_path": str(tmp_path / "kv.db")},
                "sqlstore": {"db_path": str(tmp_path / "sql.db")},
            },
            "registered_resources": {"datasets": datasets or []},
        }

    return make


@pytest.fixture
async def stack(host: PluginHost, config: RunConfig) -> AsyncIterator[Stack]:
    async with await Stack.from_config(config(), host=host) as started:
        yield started
