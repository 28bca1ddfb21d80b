"""``remote::bedrock`` against the shared inference conformance suite, from cassettes.

The cassettes were recorded against ``ministack`` (an AWS emulator) forwarding Converse
calls to llama-cpp-python's server with SmolLM2-135M-Instruct (see ``cassettes/README.md``);
what that pair does not reproduce faithfully is declared unsupported below, with the reason.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

from plugstack.testing.conformance import InferenceConformance


class TestBedrockConformance(InferenceConformance):
    chat_model = "amazon.nova-micro-v1:0"
    provider_type = "remote::bedrock"
    sdk_modules = ("boto3", "botocore", "plugstack_bedrock.adapter")
    unsupported: ClassVar[dict[str, str]] = {
        "max_tokens": "ministack reports stopReason end_turn even when the forwarded answer was cut at maxTokens",
        "embeddings": (
            "ministack answers InvokeModel for Titan/Cohere embedding models with a text-generation body; "
            "the request and response bodies are unit-tested in test_embedding_bodies.py"
        ),
        "embedding_dimensions": "see embeddings",
        "upstream_not_found": "ministack accepts any model id",
        "auth_error": "ministack does not verify SigV4 signatures, so no credentials are rejected",
        "cached_tokens": "neither ministack nor llama_cpp.server report prompt cache usage",
    }

    @classmethod
    def run_config(cls, *, valid_credentials: bool = True) -> dict[str, Any]:
        config: dict[str, Any] = {"region": "us-east-1", "max_attempts": 1}  # one request, one interaction
        if os.environ.get("PLUGSTACK_TEST_BEDROCK_REAL_AWS") != "1":  # the local emulator of the recordings
            config |= {
                "endpoint_url": "http://127.0.0.1:18432",
                "aws_access_key_id": "test",
                "aws_secret_access_key": "test",
            }
        if not valid_credentials:
            config |= {"aws_access_key_id": "wrong-key-id", "aws_secret_access_key": "wrong-secret"}
        return {
            "distribution_name": "bedrock-conformance",
            "providers": {
                "inference": [{"provider_id": "bedrock", "provider_type": "remote::bedrock", "config": config}]
            },
        }
