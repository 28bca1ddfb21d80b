"""plugstack-rules-shield: the ``inline::rules`` safety provider.

A shield without a model: blocked keywords (whole words, any case), blocked regexes and
PII detectors (email, phone, credit card with a Luhn check, US SSN, IPv4), compiled into
one regex so that a check costs microseconds. This module only registers the provider;
it imports neither the config nor the provider module.
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
            provider_type="inline::rules",
            config_class="plugstack_rules_shield.config:RulesShieldConfig",
            adapter_factory="plugstack_rules_shield.provider:create_provider",
            pip_packages=["plugstack-rules-shield"],
            description="deterministic shield: blocked keywords, regexes and PII (email, phone, card, SSN, IPv4)",
        )
    ]
