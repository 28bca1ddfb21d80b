"""plugstack-mcp: the ``remote::model-context-protocol`` tool runtime provider.

This module is what the ``plugstack`` entry point loads at discovery time, so it imports
neither the mcp SDK nor the adapter: the spec names them by import path.
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
            provider_type="remote::model-context-protocol",
            config_class="plugstack_mcp.config:McpConfig",
            adapter_factory="plugstack_mcp.adapter:create_provider",
            pip_packages=["plugstack-mcp"],
            # the SDK's HTTP transports run on httpx2, which the adapter configures (headers, timeouts)
            sdk_modules={"mcp": "mcp>=2", "httpx2": "mcp>=2"},
            description="tools of MCP servers (streamable HTTP, SSE or stdio), one tool group per server, "
            "through the official mcp SDK",
        )
    ]
