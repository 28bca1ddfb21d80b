"""plugstack-bedrock: the ``remote::bedrock`` inference and safety providers.

This module is what the ``plugstack`` entry point loads at discovery time, so it imports
neither boto3 nor the adapters: the specs name them by import path.
"""

from __future__ import annotations

import plugstack
from plugstack.apis import Api
from plugstack.provider_spec import ProviderSpec

__all__ = ["plugstack_inference_providers", "plugstack_safety_providers"]

_SDK_MODULES = {"boto3": "boto3", "botocore": "boto3"}


@plugstack.hookimpl
def plugstack_inference_providers() -> list[ProviderSpec]:
    return [
        ProviderSpec(
            api=Api.inference,
            provider_type="remote::bedrock",
            config_class="plugstack_bedrock.config:BedrockConfig",
            adapter_factory="plugstack_bedrock.adapter:create_provider",
            pip_packages=["plugstack-bedrock"],
            sdk_modules=dict(_SDK_MODULES),
            description="AWS Bedrock: chat through Converse/ConverseStream, Titan and Cohere embeddings, on boto3",
        )
    ]


@plugstack.hookimpl
def plugstack_safety_providers() -> list[ProviderSpec]:
    return [
        ProviderSpec(
            api=Api.safety,
            provider_type="remote::bedrock",
            config_class="plugstack_bedrock.config:BedrockSafetyConfig",
            adapter_factory="plugstack_bedrock.safety:create_provider",
            pip_packages=["plugstack-bedrock"],
            sdk_modules=dict(_SDK_MODULES),
            description="AWS Bedrock Guardrails as shields: ApplyGuardrail on input or output, on boto3",
        )
    ]
