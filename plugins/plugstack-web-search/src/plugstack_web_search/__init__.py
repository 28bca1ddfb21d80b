"""plugstack-web-search: the ``remote::tavily-search`` and ``remote::brave-search`` tool runtimes.

Each serves one tool group (``builtin::web_search`` unless configured otherwise) holding one
tool, ``web_search``. This module is what the ``plugstack`` entry point loads at discovery
time, so it imports neither httpx nor the adapter: the specs name them by import path.
"""

from __future__ import annotations

import plugstack
from plugstack.apis import Api
from plugstack.provider_spec import ProviderSpec

__all__ = ["plugstack_tool_runtime_providers"]


@plugstack.hookimpl
def plugstack_tool_runtime_providers() -> list[ProviderSpec]:
    return [
        ProviderSpec(
            api=Api.tool_runtime,
            provider_type="remote::tavily-search",
            config_class="plugstack_web_search.config:TavilySearchConfig",
            adapter_factory="plugstack_web_search.adapter:create_tavily_provider",
            pip_packages=["plugstack-web-search"],
            sdk_modules={"httpx": "httpx"},
            description="a web_search tool on Tavily's search API (api.tavily.com)",
        ),
        ProviderSpec(
            api=Api.tool_runtime,
            provider_type="remote::brave-search",
            config_class="plugstack_web_search.config:BraveSearchConfig",
            adapter_factory="plugstack_web_search.adapter:create_brave_provider",
            pip_packages=["plugstack-web-search"],
            sdk_modules={"httpx": "httpx"},
            description="a web_search tool on the Brave Search API (api.search.brave.com)",
        ),
    ]
