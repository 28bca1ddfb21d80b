"""plugstack-llama-cpp: the ``inline::llama-cpp`` inference provider.

This module is what the ``plugstack`` entry point loads at discovery time, so it imports
neither llama-cpp-python nor the adapter: the spec names them by import path.
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
            provider_type="inline::llama-cpp",
            config_class="plugstack_llama_cpp.config:LlamaCppConfig",
            adapter_factory="plugstack_llama_cpp.provider:create_provider",
            pip_packages=["plugstack-llama-cpp", "llama-cpp-python"],
            sdk_modules={"llama_cpp": "llama-cpp-python"},
            description="GGUF models run in-process on the CPU by llama.cpp (chat, completions, embeddings)",
        )
    ]
