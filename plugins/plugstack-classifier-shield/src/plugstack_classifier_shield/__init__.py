"""plugstack-classifier-shield: the ``inline::profanity-classifier`` safety provider.

Loaded by the ``plugstack`` entry point at discovery, so it imports neither scikit-learn
nor the model: the spec names them by import path.
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
            provider_type="inline::profanity-classifier",
            config_class="plugstack_classifier_shield.config:ProfanityClassifierConfig",
            adapter_factory="plugstack_classifier_shield.adapter:create_provider",
            pip_packages=["plugstack-classifier-shield"],
            sdk_modules={
                "profanity_check": "alt-profanity-check",
                "sklearn": "alt-profanity-check",
                "joblib": "alt-profanity-check",
            },
            description="offensive-language classifier (alt-profanity-check's scikit-learn model, in its wheel) on CPU",
        )
    ]
