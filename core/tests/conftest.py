from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from plugstack.plugins import PluginHost, new_plugin_host
from plugstack.server.background import BackgroundServer
from plugstack.testing.echo import EchoPlugin


@pytest.fixture
def host() -> PluginHost:
    """A plugin host with no entry points loaded and the echo test provider registered."""
    h = new_plugin_host()
    assert h.register(EchoPlugin(), name="echo")
    return h


@pytest.fixture
def echo_config() -> dict[str, Any]:
    return {
        "distribution_name": "test",
        "providers": {"inference": [{"provider_id": "echo", "provider_type": "inline::echo", "config": {}}]},
    }


@pytest.fixture(scope="module")
def echo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundServer]:
    """A real uvicorn server on 127.0.0.1 serving ``inline::echo``, one per test module."""
    host = new_plugin_host()
    assert host.register(EchoPlugin(), name="echo")
    config = {
        "distribution_name": "test",
        "providers": {"inference": [{"provider_id": "echo", "provider_type": "inline::echo", "config": {}}]},
        "storage": {"kvstore": {"db_path": str(tmp_path_factory.mktemp("echo-server") / "kvstore.db")}},
    }
    with BackgroundServer(config, host=host) as server:
        yield server


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL URL from PLUGSTACK_TEST_POSTGRES_URL; CI sets it and requires it."""
    url = os.environ.get("PLUGSTACK_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("PLUGSTACK_REQUIRE_POSTGRES"):
            pytest.fail("PLUGSTACK_REQUIRE_POSTGRES is set but PLUGSTACK_TEST_POSTGRES_URL is not")
        pytest.skip("no PostgreSQL server: set PLUGSTACK_TEST_POSTGRES_URL (CI starts one)")
    yield url
