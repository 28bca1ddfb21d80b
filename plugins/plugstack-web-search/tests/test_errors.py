"""Upstream failures, end to end: a stack's ``invoke_tool`` raises the core's error types.

The HTTP answers (401 / Brave's 422, 429, 500) replay from cassettes recorded against
``web_search_wire_server.py``, which answers them for its test keys (always the local
server, even when recording with real keys: a real API cannot be made to rate limit or
fail on demand). A refused connection and a missing key need no cassette.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from plugstack.errors import AuthenticationError, ConfigError, PlugstackError, ProviderError, RateLimitError
from plugstack.stack import Stack
from plugstack.testing.ports import refused_url

LOCAL_URL = "${env.PLUGSTACK_TEST_WEB_SEARCH_URL:=http://127.0.0.1:18441}"
WRONG_KEY = "wrong-key-for-error-tests-3f9a1c"
OVER_QUOTA_KEY = "plugstack-local-key-over-quota"
UPSTREAM_DOWN_KEY = "plugstack-local-key-upstream-down"

PROVIDERS = {
    "tavily": ("remote::tavily-search", "/search", "TAVILY_API_KEY"),
    "brave": ("remote::brave-search", "/res/v1/web/search", "BRAVE_SEARCH_API_KEY"),
}


def run_config(provider: str, **config: Any) -> dict[str, Any]:
    provider_type, path, _ = PROVIDERS[provider]
    config = {"base_url": LOCAL_URL + path, **config}
    return {
        "distribution_name": f"{provider}-errors",
        "providers": {
            "tool_runtime": [{"provider_id": f"{provider}-eu", "provider_type": provider_type, "config": config}]
        },
    }


@pytest_asyncio.fixture
async def search_with_key() -> AsyncIterator[Any]:
    """``await search(provider, key)``: one web_search through a stack of that provider with that key."""
    stacks: list[Stack] = []

    async def search(provider: str, key: str | None, **config: Any) -> Any:
        stack = await Stack.from_config(run_config(provider, api_key=key, **config))
        stacks.append(stack)
        return await stack.tool_runtime.invoke_tool(tool_name="web_search", kwargs={"query": "Eiffel Tower"})

    yield search
    for stack in stacks:
        await stack.close()


def assert_names_provider_without_key(error: PlugstackError, provider: str, caplog: pytest.LogCaptureFixture) -> None:
    assert f"'{provider}-eu'" in error.message
    for secret in (WRONG_KEY, OVER_QUOTA_KEY, UPSTREAM_DOWN_KEY):
        assert secret not in error.message and secret not in str(error)
        assert secret not in caplog.text


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_a_rejected_key_is_an_authentication_error(
    provider: str, search_with_key: Any, plugstack_cassette: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AuthenticationError) as raised:
        await search_with_key(provider, WRONG_KEY)
    assert raised.value.status_code == 401
    assert "key" in raised.value.message.lower()  # the API's own words: invalid API key / subscription token
    assert_names_provider_without_key(raised.value, provider, caplog)


@pytest.mark.parametrize(
    ("provider", "retry_after"), [pytest.param("tavily", 7.0, id="tavily"), pytest.param("brave", 1.0, id="brave")]
)
async def test_a_rate_limit_is_a_429_with_retry_after(
    provider: str, retry_after: float, search_with_key: Any, plugstack_cassette: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(RateLimitError) as raised:
        await search_with_key(provider, OVER_QUOTA_KEY)
    assert raised.value.status_code == 429
    assert raised.value.retry_after == retry_after
    assert_names_provider_without_key(raised.value, provider, caplog)


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_a_failing_api_is_a_provider_error(
    provider: str, search_with_key: Any, plugstack_cassette: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(ProviderError) as raised:
        await search_with_key(provider, UPSTREAM_DOWN_KEY)
    assert raised.value.status_code == 502  # the core's mapping of an upstream 500
    assert raised.value.provider_id == f"{provider}-eu"
    assert "500" in raised.value.message
    assert_names_provider_without_key(raised.value, provider, caplog)


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_an_unreachable_api_is_a_503(provider: str, search_with_key: Any) -> None:
    with pytest.raises(ProviderError) as raised:
        await search_with_key(provider, WRONG_KEY, base_url=refused_url() + PROVIDERS[provider][1])
    assert raised.value.status_code == 503
    assert raised.value.provider_id == f"{provider}-eu"
    assert WRONG_KEY not in raised.value.message


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_a_missing_key_says_which_variable_to_set(provider: str, search_with_key: Any) -> None:
    # no cassette: a request would fail the test (nothing listens at the refused URL)
    with pytest.raises(ConfigError) as raised:
        await search_with_key(provider, None, base_url=refused_url() + PROVIDERS[provider][1])
    env = PROVIDERS[provider][2]
    assert env in raised.value.message and f"'{provider}-eu'" in raised.value.message


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_without_a_key_the_stack_starts_and_health_says_what_to_set(provider: str) -> None:
    # ${env.VAR:=} with the variable unset resolves to nothing: the provider starts keyless
    config = run_config(provider, api_key="${env.PLUGSTACK_TEST_UNSET_SEARCH_KEY:=}")
    async with await Stack.from_config(config) as stack:
        (health,) = [p["health"] for p in await stack.provider_health() if p["provider_id"] == f"{provider}-eu"]
        assert health["status"] == "Error" and PROVIDERS[provider][2] in health["message"]
        assert [g.id for g in stack.tool_groups.list()] == ["builtin::web_search"]
