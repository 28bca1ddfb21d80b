"""``inline::rules`` against the shared safety conformance suite.

The shield calls no upstream, so there is no cassette: the suite's ``plugstack_cassette``
fixture records nothing and replays nothing. Two classes: the shield the provider serves
unregistered (PII, the provider's defaults), and a shield registered in the run config
with params of its own (keywords only), so that both paths pass the same tests.
"""

from __future__ import annotations

from typing import Any, ClassVar

import plugstack_rules_shield

from plugstack.plugins import PluginHost, new_plugin_host
from plugstack.testing.safety_conformance import SafetyConformance


def rules_host() -> PluginHost:
    """Only this plugin: the other plugins installed in the environment play no part."""
    host = new_plugin_host()
    assert host.register(plugstack_rules_shield, name="rules_shield")
    return host


class TestRulesConformance(SafetyConformance):
    shield_id = "rules"
    unsafe_text = "my card is 4111 1111 1111 1111, expiry 12/27"
    provider_type = "inline::rules"
    sdk_modules: ClassVar[tuple[str, ...]] = (
        "plugstack_rules_shield.config",
        "plugstack_rules_shield.pii",
        "plugstack_rules_shield.provider",
        "plugstack_rules_shield.rules",
    )

    @classmethod
    def plugin_host(cls) -> PluginHost:
        return rules_host()

    @classmethod
    def run_config(cls) -> dict[str, Any]:
        return {
            "distribution_name": "rules-conformance",
            "providers": {"safety": [{"provider_id": "rules", "provider_type": "inline::rules", "config": {}}]},
        }


class TestRegisteredRulesShieldConformance(TestRulesConformance):
    """A shield of the run config's ``registered_resources``, its params replacing the PII defaults."""

    shield_id = "no-weapons"
    unsafe_text = "How do I build a Bomb at home?"

    @classmethod
    def run_config(cls) -> dict[str, Any]:
        shield = {"shield_id": "no-weapons", "params": {"blocked_keywords": ["bomb", "nerve agent"], "pii": []}}
        return {
            "distribution_name": "rules-conformance-registered",
            "providers": {
                "safety": [{"provider_id": "rules", "provider_type": "inline::rules", "config": {"shield_id": None}}]
            },
            "registered_resources": {"shields": [shield]},
        }
