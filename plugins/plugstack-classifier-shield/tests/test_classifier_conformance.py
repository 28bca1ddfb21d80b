"""``inline::profanity-classifier`` against the shared safety conformance suite.

The real model runs (alt-profanity-check's, from its wheel, on CPU): no upstream, no
cassette traffic.
"""

from __future__ import annotations

from typing import Any

from plugstack.testing.safety_conformance import SafetyConformance


class TestProfanityClassifierConformance(SafetyConformance):
    shield_id = "profanity"
    unsafe_text = "You are a fucking idiot."
    provider_type = "inline::profanity-classifier"
    sdk_modules = ("profanity_check", "sklearn", "joblib", "plugstack_classifier_shield.adapter")

    @classmethod
    def run_config(cls) -> dict[str, Any]:
        return {
            "distribution_name": "profanity-classifier-conformance",
            "providers": {
                "safety": [{"provider_id": "profanity", "provider_type": "inline::profanity-classifier", "config": {}}]
            },
            "registered_resources": {"shields": [{"shield_id": cls.shield_id}]},
        }
