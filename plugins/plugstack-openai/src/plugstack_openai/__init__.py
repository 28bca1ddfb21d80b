"""plugstack-openai: the ``remote::openai`` and ``remote::openai-compatible`` inference providers.

This module is what the ``plugstack`` entry point loads at discovery time, so it imports
neither aiohttp nor the adapter: the specs name them by import path.
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
            provider_type="remote::openai",
            config_class="plugstack_openai.config:OpenAIConfig",
            adapter_factory="plugstack_openai.adapter:create_provider",
            pip_packages=["plugstack-openai"],
            sdk_modules={"aiohttp": "aiohttp"},
            description="OpenAI's API (chat, completions, embeddings), spoken directly over a pooled aiohttp client",
        ),
        ProviderSpec(
            api=Api.inference,
            provider_type="remote::openai-compatible",
            config_class="plugstack_openai.config:OpenAICompatibleConfig",
            adapter_factory="plugstack_openai.adapter:create_provider",
            pip_packages=["plugstack-openai"],
            sdk_modules={"aiohttp": "aiohttp"},
            description="any server speaking the OpenAI API: vLLM, Ollama, llama.cpp, LM Studio, Together, Fireworks...",
        ),
    ]
