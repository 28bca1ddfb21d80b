"""plugstack-anthropic: the ``remote::anthropic`` inference provider.

This module is what the ``plugstack`` entry point loads at discovery time, so it imports
neither the anthropic SDK nor the adapter: the spec names them by import path.
"""

from __future__ import annotations

import plugstack
from plugstack.apis import Api
from plugstack.provider_spec import ProviderSpec

__all__ = ["plugstack_inference_providers"]


@plugstack.hookimpl
def plugstack_inference_providers() -> list[ProviderSpec]:
    return [
        ProviderSpec(
            api=Api.inference,
            provider_type="remote::anthropic",
            config_class="plugstack_anthropic.config:AnthropicConfig",
            adapter_factory="plugstack_anthropic.adapter:create_provider",
            pip_packages=["plugstack-anthropic"],
            # DefaultAioHttpClient runs on aiohttp, which the SDK's aiohttp extra brings
            sdk_modules={"anthropic": "anthropic[aiohttp]", "aiohttp": "anthropic[aiohttp]"},
            description="Anthropic's Claude models through the Messages API (official anthropic SDK)",
        )
    ]
