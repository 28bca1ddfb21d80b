"""``remote::groq`` against the shared inference conformance suite, from cassettes.

The cassettes were recorded against llama-cpp-python's OpenAI-compatible server serving
SmolLM2-135M-Instruct under ``/openai`` (see ``cassettes/README.md``); the features that
server does not reproduce faithfully are declared unsupported below, with the reason.
"""

from __future__ import annotations

from typing import Any, ClassVar

from plugstack.testing.conformance import InferenceConformance


class TestGroqConformance(InferenceConformance):
    chat_model = "smollm2-135m"
    provider_type = "remote::groq"
    sdk_modules = ("groq", "plugstack_groq.adapter")
    unsupported: ClassVar[dict[str, str]] = {
        "embeddings": (
            "Groq serves no embedding models, and llama_cpp.server gives SmolLM2 per-token (unpooled) vectors, "
            "not OpenAI embeddings"
        ),
        "embedding_dimensions": "Groq serves no embedding models",
        "upstream_not_found": "the recording server (llama_cpp.server, one model) answers for any model id",
        "tool_results": (
            "the recording server rejects an assistant turn with content null and tool_calls "
            "(its request model wants a string), which OpenAI and Groq accept"
        ),
        "structured_output": (
            "the recording server (llama-cpp-python 0.3.36) rejects response_format type json_schema "
            "(it knows text and json_object only)"
        ),
        "cached_tokens": "the recording server reports no prompt cache usage",
        "stream_usage": (
            "the recording server ignores stream_options; real Groq sends x_groq.usage, which the adapter "
            "turns into the usage chunk (unit-tested in test_groq_plugin.py)"
        ),
    }

    @classmethod
    def run_config(cls, *, valid_credentials: bool = True) -> dict[str, Any]:
        key = "${env.GROQ_API_KEY:=plugstack-local-key}" if valid_credentials else "wrong-key-for-conformance"
        config = {
            "api_key": key,
            "base_url": "${env.PLUGSTACK_TEST_GROQ_BASE_URL:=http://127.0.0.1:18431}",
            "max_retries": 0,  # one request, one recorded interaction
        }
        return {
            "distribution_name": "groq-conformance",
            "providers": {"inference": [{"provider_id": "groq", "provider_type": "remote::groq", "config": config}]},
        }
