"""plugstack-groq: the ``remote::groq`` inference provider.

This module is what the ``plugstack`` entry point loads at discovery time, so it imports
neither the groq SDK nor the adapter: the spec names them by import path.
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
            provider_type="remote::groq",
            config_class="plugstack_groq.config:GroqConfig",
            adapter_factory="plugstack_groq.adapter:create_provider",
            pip_packages=["plugstack-groq"],
            # DefaultAioHttpClient needs the aiohttp extra's httpx-aiohttp; errors.py imports httpx
            sdk_modules={"groq": "groq[aiohttp]", "httpx_aiohttp": "groq[aiohttp]", "httpx": "httpx"},
            description="Groq's hosted models (chat, embeddings) through the official groq SDK",
        )
    ]
