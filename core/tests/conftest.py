from __future__ import annotations

import os
from collections.abc import Callable, Iterator
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
    state = tmp_path_factory.mktemp("echo-server")
    config = {
        "distribution_name": "test",
        "providers": {"inference": [{"provider_id": "echo", "provider_type": "inline::echo", "config": {}}]},
        "storage": {
            "kvstore": {"db_path": str(state / "kvstore.db")},
            "sqlstore": {"db_path": str(state / "sqlstore.db")},
        },
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


OpenAPIFuzzer = Callable[[dict[str, Any], list[Any], str, int, Callable[[int], bool]], None]


@pytest.fixture
def fuzz_openapi() -> OpenAPIFuzzer:
    """Drive schemathesis over ``operations`` of ``document`` against ``base_url``.

    Every operation gets valid requests, and those with a body invalid ones too;
    ``status_allowed`` decides which 5xx are deliberate, and every 4xx/5xx must carry an
    OpenAI-shaped error. schemathesis's own pytest integration does not run on pytest 9
    (``Function._nodeid``), so its hypothesis strategies are driven directly.
    """
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis import GenerationMode

    def fuzz(
        document: dict[str, Any],
        operations: list[Any],
        base_url: str,
        examples: int,
        status_allowed: Callable[[int], bool],
    ) -> None:
        for operation in operations:
            has_body = "requestBody" in document["paths"][operation.path][operation.method]
            for mode in [GenerationMode.POSITIVE, GenerationMode.NEGATIVE] if has_body else [GenerationMode.POSITIVE]:

                @given(case=operation.as_strategy(mode))
                @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
                def no_crash(case: schemathesis.Case) -> None:
                    response = case.call(base_url=base_url)
                    reproduce = case.as_curl_command()
                    assert status_allowed(response.status_code), (
                        f"{reproduce}\n-> {response.status_code} {response.text}"
                    )
                    if response.status_code >= 400:
                        error = response.json()["error"]
                        assert set(error) == {"message", "type", "param", "code"}, f"{reproduce}\n-> {response.text}"

                no_crash()

    return fuzz
