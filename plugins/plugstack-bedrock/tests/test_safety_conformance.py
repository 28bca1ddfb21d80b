"""``remote::bedrock`` shields (Bedrock Guardrails) against the shared safety conformance suite.

Replayed from cassettes recorded against ministack's ApplyGuardrail, which enforces a
guardrail's deterministic policies (words, PII patterns, regexes) for real; the guardrail
is ``make_test_guardrail.py``'s, its id in ``cassettes/guardrail.json`` (see
``cassettes/README.md``). The unsafe text is a card number, which it blocks on input and
output alike.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from plugstack.testing.safety_conformance import SafetyConformance

GUARDRAIL = json.loads((Path(__file__).parent / "cassettes" / "guardrail.json").read_text())


def safety_provider_config() -> dict[str, Any]:
    """The ``remote::bedrock`` safety config of the recordings: ministack, or AWS when asked."""
    config: dict[str, Any] = {
        "region": "us-east-1",
        "max_attempts": 1,  # one request, one interaction
        # vcrpy un-patches the HTTP stack while it sends a request it records, so a request
        # sent meanwhile from another thread goes unrecorded: record one at a time
        "max_concurrent_requests": 1,
    }
    if os.environ.get("PLUGSTACK_TEST_BEDROCK_REAL_AWS") != "1":
        config |= {
            "endpoint_url": "http://127.0.0.1:18432",
            "aws_access_key_id": "test",
            "aws_secret_access_key": "test",
        }
    return config


class TestBedrockGuardrailConformance(SafetyConformance):
    shield_id = "bedrock-guardrail"
    unsafe_text = "Please keep my card number 4111 1111 1111 1111 on file."
    provider_type = "remote::bedrock"
    sdk_modules = ("boto3", "botocore", "plugstack_bedrock.adapter", "plugstack_bedrock.safety")

    @classmethod
    def run_config(cls) -> dict[str, Any]:
        return {
            "distribution_name": "bedrock-safety-conformance",
            "providers": {
                "safety": [
                    {"provider_id": "bedrock", "provider_type": "remote::bedrock", "config": safety_provider_config()}
                ]
            },
            "registered_resources": {
                "shields": [
                    {
                        "shield_id": cls.shield_id,
                        "provider_shield_id": GUARDRAIL["guardrail_id"],
                        "params": {"guardrailVersion": GUARDRAIL["guardrail_version"]},
                    }
                ]
            },
        }
