"""The ``remote::tavily-search`` and ``remote::brave-search`` adapters, on httpx.

Both serve one tool group with one tool, ``web_search`` (``query``, optional
``max_results``); they differ only in how they ask their API and read its answer
(:meth:`WebSearchProvider._search`). The httpx client is created on the first search, in
the event loop that makes it, and closed at shutdown; this is the only module that
imports httpx, and discovery never imports it.

What a call gets back:

- hits: text for the model and ``metadata["results"]`` (see :mod:`.results`);
- a query the API refuses (400/422: too long, a bad group arg) or a blank one: a result
  with ``error_message``, so the model can fix its query;
- a missing key, a key the API rejects, a rate limit, an API that is down or unreachable:
  an exception (:class:`ConfigError`, :class:`AuthenticationError`, :class:`RateLimitError`,
  :class:`ProviderError` 502/503/504), naming the provider id. The key never appears in
  them, nor in logs or reprs.
"""

from __future__ import annotations

import json
import logging
from typing import Any, ClassVar, Generic, TypeVar

import httpx

from plugstack.apis.tool_groups.types import ToolGroup
from plugstack.apis.tool_runtime.types import ToolDef, ToolInvocationResult
from plugstack.errors import BadRequestError, ConfigError, NotFoundError, ProviderError
from plugstack.provider_context import ProviderContext
from plugstack.redaction import redact_text
from plugstack_web_search.config import MAX_RESULTS_LIMIT, BraveSearchConfig, TavilySearchConfig, WebSearchConfig
from plugstack_web_search.errors import upstream_error
from plugstack_web_search.results import SearchHit, format_hits, plain_text

__all__ = [
    "BraveSearchProvider",
    "TavilySearchProvider",
    "WebSearchProvider",
    "create_brave_provider",
    "create_tavily_provider",
]

log = logging.getLogger("plugstack_web_search")

ConfigT = TypeVar("ConfigT", bound=WebSearchConfig)

_USER_AGENT = "plugstack-web-search/0.1"


def create_tavily_provider(config: TavilySearchConfig, context: ProviderContext) -> TavilySearchProvider:
    return TavilySearchProvider(config, provider_id=context.provider_id)


def create_brave_provider(config: BraveSearchConfig, context: ProviderContext) -> BraveSearchProvider:
    return BraveSearchProvider(config, provider_id=context.provider_id)


class WebSearchProvider(Generic[ConfigT]):
    """Implements :class:`plugstack.apis.tool_runtime.ToolRuntime` for one search API.

    ``provider_id`` is the provider's id in the run config; every error and log line names it.
    A group registered with this provider may set ``args``: ``max_results`` and the API's
    own search parameters listed in :attr:`group_params`, sent with each of its searches.
    """

    provider_type: ClassVar[str]
    upstream: ClassVar[str]
    """The API's name in messages."""
    group_params: ClassVar[frozenset[str]]
    """Search parameters of the API that a group's ``args`` may set."""

    def __init__(self, config: ConfigT, *, provider_id: str) -> None:
        self.config = config
        self.provider_id = provider_id
        self._secret = config.api_key.get_secret_value() if config.api_key is not None else None
        self._client: httpx.AsyncClient | None = None

    def __repr__(self) -> str:  # no config dump: nothing near the key
        return f"{type(self).__name__}(provider_id={self.provider_id!r}, base_url={self.config.base_url!r})"

    @property
    def client(self) -> httpx.AsyncClient:
        """The pooled client, created on first use (inside the running event loop)."""
        if self._client is None or self._client.is_closed:
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(self.config.timeout),
                headers={"Accept": "application/json", "User-Agent": _USER_AGENT},
            )
        return self._client

    async def shutdown(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    async def health(self) -> dict[str, Any]:
        """Error when no key is configured; otherwise OK, unchecked: every search costs credits."""
        if not self._secret:
            return {"status": "Error", "message": self._missing_key_message()}
        return {"status": "OK"}

    # -- tool groups -------------------------------------------------------------------------

    async def list_tool_groups(self) -> list[ToolGroup]:
        group_id = self.config.toolgroup_id
        return [ToolGroup(id=group_id, provider_resource_id=group_id)]

    async def register_tool_group(self, group: ToolGroup) -> None:
        """Refuse args this provider would not understand, before the group is kept."""
        if group.mcp_endpoint is not None:
            raise BadRequestError(
                f"{self.provider_type} serves web search, not MCP servers: drop mcp_endpoint", param="mcp_endpoint"
            )
        unknown = sorted(set(group.args) - self.group_params - {"max_results"})
        if unknown:
            allowed = ", ".join(sorted(self.group_params | {"max_results"}))
            raise BadRequestError(
                f"{self.provider_type} does not know args {unknown}; it takes: {allowed}", param="args"
            )
        if "max_results" in group.args:
            value = group.args["max_results"]
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_RESULTS_LIMIT:
                raise BadRequestError(
                    f"args.max_results must be an integer from 1 to {MAX_RESULTS_LIMIT}", param="args.max_results"
                )

    # -- tools -------------------------------------------------------------------------------

    async def list_tools(self, group: ToolGroup) -> list[ToolDef]:
        return [self._tool_def()]

    async def invoke_tool(self, group: ToolGroup, tool_name: str, arguments: dict[str, Any]) -> ToolInvocationResult:
        if tool_name != self.config.tool_name:
            raise NotFoundError(f"tool {tool_name!r} not found in group {group.id!r}", param="tool_name")
        query = str(arguments["query"]).strip()
        if not query:
            return ToolInvocationResult(
                error_message="query is empty: give the words to search the web for", error_code=400
            )
        if not self._secret:
            raise ConfigError(self._missing_key_message())
        max_results = int(arguments.get("max_results") or group.args.get("max_results") or self.config.max_results)
        params = {k: v for k, v in group.args.items() if k in self.group_params}
        try:
            response = await self._search(self._secret, query, max_results, params)
        except httpx.ConnectTimeout:
            raise self._unreachable("connection timed out", 503) from None
        except httpx.TimeoutException:
            raise self._unreachable(f"no answer within {self.config.timeout:g} s", 504) from None
        except httpx.TransportError as exc:
            raise self._unreachable(f"cannot connect ({type(exc).__name__})", 503) from None
        body = _parsed_body(response)
        if response.status_code >= 400:
            error = upstream_error(
                response.status_code,
                body,
                response.headers,
                upstream=self.upstream,
                provider_id=self.provider_id,
                secret=self._secret,
            )
            if isinstance(error, BadRequestError):  # the query (or a group arg) was refused: the model may fix it
                log.info("%s", error.message)
                return ToolInvocationResult(error_message=error.message, error_code=response.status_code)
            log.warning("%s", error.message)
            raise error
        try:
            hits = self._hits(body)[:max_results]
        except (TypeError, ValueError, KeyError, AttributeError):
            raise ProviderError(
                f"{self.upstream} answered a body that is not a search result", provider_id=self.provider_id
            ) from None
        return ToolInvocationResult(
            content=format_hits(query, hits),
            metadata={"query": query, "results": [hit.as_metadata() for hit in hits]},
        )

    # -- per API -----------------------------------------------------------------------------

    async def _search(self, key: str, query: str, max_results: int, params: dict[str, Any]) -> httpx.Response:
        """Send one search request to the API; the response whatever its status."""
        raise NotImplementedError

    def _hits(self, body: Any) -> list[SearchHit]:
        """The hits of the API's successful answer, best first."""
        raise NotImplementedError

    # -- helpers -----------------------------------------------------------------------------

    def _tool_def(self) -> ToolDef:
        return ToolDef(
            name=self.config.tool_name,
            description=(
                f"Search the web ({self.upstream}) for current information. Answers a numbered list of results, "
                "each with its title, URL and a snippet of the page."
            ),
            parameters={
                "type": "object",
                "properties": {
                    "query": {"type": "string", "description": "what to search for, as you would type it"},
                    "max_results": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": MAX_RESULTS_LIMIT,
                        "description": f"how many results to answer (default {self.config.max_results})",
                    },
                },
                "required": ["query"],
                "additionalProperties": False,
            },
            metadata={"provider_type": self.provider_type},
        )

    def _missing_key_message(self) -> str:
        env = self.config.key_env
        return (
            f"provider {self.provider_id!r} ({self.provider_type}) has no API key: set {env} in the environment "
            f"(the run config reads it with api_key: ${{env.{env}}})"
        )

    def _unreachable(self, what: str, status: int) -> ProviderError:
        error = ProviderError(f"{self.upstream} unreachable: {what}", provider_id=self.provider_id, status_code=status)
        log.warning("%s", error.message)
        return error


class TavilySearchProvider(WebSearchProvider[TavilySearchConfig]):
    """``remote::tavily-search``: ``POST`` a JSON search to Tavily, the key as a bearer token."""

    provider_type: ClassVar[str] = "remote::tavily-search"
    upstream: ClassVar[str] = "Tavily"
    group_params: ClassVar[frozenset[str]] = frozenset(
        {"search_depth", "topic", "time_range", "include_domains", "exclude_domains", "country"}
    )

    async def _search(self, key: str, query: str, max_results: int, params: dict[str, Any]) -> httpx.Response:
        return await self.client.post(
            self.config.base_url,
            json={"query": query, "max_results": max_results, **params},
            headers={"Authorization": f"Bearer {key}"},
        )

    def _hits(self, body: Any) -> list[SearchHit]:
        return [
            SearchHit(
                title=str(item.get("title") or ""),
                url=str(item["url"]),
                content=plain_text(str(item.get("content") or "")),
                score=float(item["score"]) if item.get("score") is not None else None,
            )
            for item in body.get("results") or []
        ]


class BraveSearchProvider(WebSearchProvider[BraveSearchConfig]):
    """``remote::brave-search``: ``GET`` Brave's web search, the key in ``X-Subscription-Token``.

    ``result_filter=web`` asks for web results only (no news, videos or discussions blocks).
    """

    provider_type: ClassVar[str] = "remote::brave-search"
    upstream: ClassVar[str] = "Brave Search"
    group_params: ClassVar[frozenset[str]] = frozenset({"country", "search_lang", "safesearch", "freshness"})

    async def _search(self, key: str, query: str, max_results: int, params: dict[str, Any]) -> httpx.Response:
        return await self.client.get(
            self.config.base_url,
            params={"q": query, "count": max_results, "result_filter": "web", **params},
            headers={"X-Subscription-Token": key},
        )

    def _hits(self, body: Any) -> list[SearchHit]:
        web = body.get("web") or {}
        return [
            SearchHit(
                title=plain_text(str(item.get("title") or "")),
                url=str(item["url"]),
                content=plain_text(str(item.get("description") or "")),
            )
            for item in web.get("results") or []
        ]


def _parsed_body(response: httpx.Response) -> Any:
    """The JSON body, or its text when it is not JSON (an HTML error page from a proxy)."""
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return redact_text(response.text)
