"""The configs of ``remote::tavily-search`` and ``remote::brave-search``.

Both take the same fields; only the defaults differ (the real API's URL, the environment
variable the key usually comes from). ``api_key`` is a ``SecretStr``, so printing or
logging a config never shows it; it may be unset, for a stack that starts without the key
and answers each search with an error saying which variable to set.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr

__all__ = ["MAX_RESULTS_LIMIT", "BraveSearchConfig", "TavilySearchConfig", "WebSearchConfig"]

MAX_RESULTS_LIMIT = 20
"""The most results one request may ask for: Tavily's ``max_results`` and Brave's ``count`` both stop at 20."""


class WebSearchConfig(BaseModel):
    """What both providers take; see the subclasses for the defaults."""

    model_config = ConfigDict(extra="forbid")

    key_env: ClassVar[str]
    """The environment variable a run config usually reads the key from (named in errors)."""

    api_key: SecretStr | None = Field(default=None, description="the API key; usually from the environment")
    base_url: str = Field(description="the search endpoint itself (not a prefix); another host only for testing")
    max_results: int = Field(
        default=5, ge=1, le=MAX_RESULTS_LIMIT, description="results per search when the call does not say"
    )
    timeout: float = Field(default=30.0, gt=0, description="seconds per search request")
    toolgroup_id: str = Field(
        default="builtin::web_search", min_length=1, description="the id of the tool group the provider lists"
    )
    tool_name: str = Field(
        default="web_search",
        min_length=1,
        description="the tool's name; change it when two search providers serve one stack",
    )

    @classmethod
    def sample_run_config(cls) -> dict[str, Any]:
        # ":=" so that a stack without the key starts; a search then says which variable to set
        return {"api_key": f"${{env.{cls.key_env}:=}}"}


class TavilySearchConfig(WebSearchConfig):
    """``remote::tavily-search``: POST JSON to Tavily, the key as a bearer token."""

    key_env: ClassVar[str] = "TAVILY_API_KEY"

    base_url: str = Field(
        default="https://api.tavily.com/search",
        description="Tavily's search endpoint; another host only for testing",
    )


class BraveSearchConfig(WebSearchConfig):
    """``remote::brave-search``: GET from Brave, the key in ``X-Subscription-Token``."""

    key_env: ClassVar[str] = "BRAVE_SEARCH_API_KEY"

    base_url: str = Field(
        default="https://api.search.brave.com/res/v1/web/search",
        description="Brave's web search endpoint; another host only for testing",
    )
