"""plugstack-llama-guard: the ``inline::llama-guard`` safety provider.

Shields that ask a Llama Guard model (served by the stack's own inference providers)
whether the last turn of a conversation is safe. This module is what the ``plugstack``
entry point loads at discovery time, so it imports neither the shield nor its config.
"""

from __future__ import annotations

import plugstack
from plugstack.apis import Api
from plugstack.provider_spec import ProviderSpec

__all__ = ["plugstack_safety_providers"]


@plugstack.hookimpl
def plugstack_safety_providers() -> list[ProviderSpec]:
    return [
        ProviderSpec(
            api=Api.safety,
            provider_type="inline::llama-guard",
            config_class="plugstack_llama_guard.config:LlamaGuardConfig",
            adapter_factory="plugstack_llama_guard.shield:create_provider",
            # the guard model is an inference model of the stack; models is its routing table,
            # which register_shield reads to refuse a shield naming a model nobody serves
            api_dependencies=[Api.inference, Api.models],
            pip_packages=["plugstack-llama-guard"],
            description="Llama Guard 3 shields: the official prompt sent to a guard model served by the stack",
        )
    ]
