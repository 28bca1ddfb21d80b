"""What each provider sends and answers, its tool groups, and where the key never shows.

Requests here go to an ``httpx.MockTransport`` put in place of the provider's client, so
each test can see the exact request (method, URL, headers, body) with no network at all.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from plugstack_web_search.adapter import BraveSearchProvider, TavilySearchProvider, WebSearchProvider
from plugstack_web_search.config import BraveSearchConfig, TavilySearchConfig
from plugstack_web_search.results import SearchHit, format_hits, plain_text

from plugstack.apis.tool_groups.types import McpEndpoint, ToolGroup
from plugstack.errors import AuthenticationError, BadRequestError, NotFoundError, ProviderError
from plugstack.stack import Stack
from plugstack.testing.recording import find_secrets

KEY = "tvly-test-key-that-must-never-show-0123"
GROUP = ToolGroup(id="builtin::web_search", provider_id="p")
CASSETTES = Path(__file__).parent / "cassettes"

TAVILY_ANSWER = {
    "query": "q",
    "results": [
        {
            "title": "One",
            "url": "https://one.example/",
            "content": "first &amp; best",
            "score": 0.9,
            "raw_content": None,
        },
        {"title": "Two", "url": "https://two.example/", "content": "second", "score": 0.5, "raw_content": None},
        {"title": "Three", "url": "https://three.example/", "content": "third", "score": 0.1, "raw_content": None},
    ],
    "response_time": 0.4,
}
BRAVE_ANSWER = {
    "type": "search",
    "query": {"original": "q"},
    "web": {
        "type": "search",
        "results": [
            {
                "title": "<strong>Brave</strong> Search",
                "url": "https://brave.example/",
                "description": "the <strong>q</strong> page",
            },
        ],
    },
}


def with_transport(provider: WebSearchProvider[Any], answer: Any, status: int = 200) -> list[httpx.Request]:
    """Answer every request of ``provider`` with ``answer``; the requests are collected in the list returned."""
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=answer)

    provider._client = httpx.AsyncClient(transport=httpx.MockTransport(handle))
    return seen


def tavily(**config: Any) -> TavilySearchProvider:
    return TavilySearchProvider(TavilySearchConfig(api_key=KEY, **config), provider_id="tavily")


def brave(**config: Any) -> BraveSearchProvider:
    return BraveSearchProvider(BraveSearchConfig(api_key=KEY, **config), provider_id="brave")


async def test_tavily_posts_json_with_the_key_as_bearer_and_answers_numbered_hits() -> None:
    provider = tavily(max_results=2)
    seen = with_transport(provider, TAVILY_ANSWER)
    result = await provider.invoke_tool(GROUP, "web_search", {"query": "  best things  "})
    (request,) = seen
    assert request.method == "POST" and str(request.url) == "https://api.tavily.com/search"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert json.loads(request.content) == {"query": "best things", "max_results": 2}
    assert result.error_message is None
    assert (
        result.content
        == "1. One\n   https://one.example/\n   first & best\n\n2. Two\n   https://two.example/\n   second"
    )
    assert result.metadata == {
        "query": "best things",
        "results": [
            {"title": "One", "url": "https://one.example/", "content": "first & best", "score": 0.9},
            {"title": "Two", "url": "https://two.example/", "content": "second", "score": 0.5},
        ],
    }


async def test_brave_gets_with_the_subscription_token_and_strips_highlighting() -> None:
    provider = brave()
    seen = with_transport(provider, BRAVE_ANSWER)
    result = await provider.invoke_tool(GROUP, "web_search", {"query": "q", "max_results": 7})
    (request,) = seen
    assert request.method == "GET"
    assert request.url.path == "/res/v1/web/search" and request.url.host == "api.search.brave.com"
    assert dict(request.url.params) == {"q": "q", "count": "7", "result_filter": "web"}
    assert request.headers["x-subscription-token"] == KEY and "authorization" not in request.headers
    assert result.metadata["results"] == [
        {"title": "Brave Search", "url": "https://brave.example/", "content": "the q page"}
    ]
    assert "score" not in result.metadata["results"][0]


async def test_no_hits_say_so() -> None:
    provider = brave()
    with_transport(provider, {"type": "search", "query": {"original": "zzz"}})  # Brave omits "web" when nothing matched
    result = await provider.invoke_tool(GROUP, "web_search", {"query": "zzz"})
    assert result.content == "No web results for 'zzz'." and result.metadata["results"] == []


async def test_a_blank_query_is_a_tool_error_without_a_request() -> None:
    provider = tavily()
    seen = with_transport(provider, TAVILY_ANSWER)
    result = await provider.invoke_tool(GROUP, "web_search", {"query": "   "})
    assert result.error_message and "empty" in result.error_message and result.error_code == 400
    assert seen == []


async def test_a_body_that_is_not_a_search_result_is_a_provider_error() -> None:
    provider = tavily()
    with_transport(provider, {"results": [{"title": "no url"}]})
    with pytest.raises(ProviderError, match="not a search result") as raised:
        await provider.invoke_tool(GROUP, "web_search", {"query": "q"})
    assert raised.value.provider_id == "tavily"


async def test_an_unknown_tool_name_is_not_found() -> None:
    with pytest.raises(NotFoundError):
        await tavily().invoke_tool(GROUP, "image_search", {"query": "q"})


async def test_the_client_is_created_lazily_and_closed_at_shutdown() -> None:
    provider = tavily(timeout=4)
    assert provider._client is None
    client = provider.client
    assert client is provider.client and client.timeout.read == 4
    await provider.shutdown()
    assert client.is_closed


async def test_the_group_id_and_tool_name_are_configurable() -> None:
    provider = brave(toolgroup_id="builtin::brave_web_search", tool_name="brave_web_search")
    (group,) = await provider.list_tool_groups()
    assert group.id == "builtin::brave_web_search"
    (tool,) = await provider.list_tools(group)
    assert tool.name == "brave_web_search" and tool.parameters["required"] == ["query"]


async def test_a_registered_groups_args_go_with_its_searches() -> None:
    config = {
        "distribution_name": "web-search-groups",
        "providers": {
            "tool_runtime": [
                {"provider_id": "tavily", "provider_type": "remote::tavily-search", "config": {"api_key": KEY}}
            ]
        },
        "registered_resources": {
            "tool_groups": [
                {"toolgroup_id": "news", "provider_id": "tavily", "args": {"topic": "news", "max_results": 2}}
            ]
        },
    }
    async with await Stack.from_config(config) as stack:
        provider = next(p.impl for p in stack.providers if p.provider_id == "tavily")
        seen = with_transport(provider, TAVILY_ANSWER)
        group = stack.tool_groups.get("news")
        result = await provider.invoke_tool(group, "web_search", {"query": "q"})
        assert json.loads(seen[0].content) == {"query": "q", "max_results": 2, "topic": "news"}
        assert len(result.metadata["results"]) == 2
        assert sorted(g.id for g in stack.tool_groups.list()) == ["builtin::web_search", "news"]


@pytest.mark.parametrize(
    ("args", "mcp", "param"),
    [
        ({"topic": "news", "colour": "blue"}, None, "args"),
        ({"max_results": 50}, None, "args.max_results"),
        ({"max_results": True}, None, "args.max_results"),
        ({}, McpEndpoint(uri="http://127.0.0.1:9/mcp"), "mcp_endpoint"),
    ],
)
async def test_registering_a_group_with_args_it_does_not_take_is_a_400(
    args: dict[str, Any], mcp: McpEndpoint | None, param: str
) -> None:
    with pytest.raises(BadRequestError) as raised:
        await brave().register_tool_group(ToolGroup(id="g", args=args, mcp_endpoint=mcp))
    assert raised.value.param == param


async def test_brave_takes_its_own_search_parameters_not_tavilys() -> None:
    await brave().register_tool_group(ToolGroup(id="g", args={"country": "de", "freshness": "pw"}))
    with pytest.raises(BadRequestError, match="search_depth"):
        await brave().register_tool_group(ToolGroup(id="g", args={"search_depth": "advanced"}))


async def test_the_key_shows_in_no_repr_dump_error_or_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    provider = tavily()
    assert KEY not in repr(provider.config) and KEY not in str(provider.config)
    assert KEY not in provider.config.model_dump_json() and KEY not in repr(provider)
    with_transport(provider, {"detail": {"error": f"Unauthorized: invalid API key {KEY}"}}, status=401)
    with pytest.raises(AuthenticationError) as raised:
        await provider.invoke_tool(GROUP, "web_search", {"query": "q"})
    assert KEY not in str(raised.value) and "<redacted>" in raised.value.message
    assert KEY not in caplog.text and "'tavily'" in caplog.text


def test_results_text_and_plain_snippets() -> None:
    assert plain_text("a <strong>b</strong>&nbsp;c\n  d") == "a b c d"
    assert (
        format_hits("q", [SearchHit(title="", url="https://u.example/")])
        == "1. https://u.example/\n   https://u.example/"
    )


def test_the_sample_run_configs_read_the_key_from_the_environment() -> None:
    assert TavilySearchConfig.sample_run_config() == {"api_key": "${env.TAVILY_API_KEY:=}"}
    assert BraveSearchConfig.sample_run_config() == {"api_key": "${env.BRAVE_SEARCH_API_KEY:=}"}


def test_the_recorded_cassettes_hold_no_key() -> None:
    """The repo-wide scan does not know Brave's ``X-Subscription-Token``: check it here, and the test keys."""
    cassettes = sorted(CASSETTES.rglob("*.yaml"))
    assert len(cassettes) >= 12
    for path in cassettes:
        text = path.read_text(encoding="utf-8")
        assert not find_secrets(text), path
        assert "plugstack-local-key" not in text and "wrong-key-for-error-tests" not in text, path
        for interaction in yaml.safe_load(text)["interactions"]:
            names = {name.lower() for name in interaction["request"]["headers"]}
            assert not names & {"authorization", "x-subscription-token"}, path
