"""plugstack's inference conformance suite for ``remote::openai-compatible``.

Replays cassettes recorded against two real llama-cpp-python servers (SmolLM2-135M-Instruct,
see ``cassettes/README.md``): one for chat and tools, one for embeddings. The features
declared unsupported below are what that server cannot do, not what this provider lacks;
re-recording against another upstream may need a different list.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

from plugstack.testing.conformance import InferenceConformance

CHAT_URL = os.environ.get("PLUGSTACK_OPENAI_TEST_BASE_URL", "http://127.0.0.1:8091/v1")
EMBED_URL = os.environ.get("PLUGSTACK_OPENAI_TEST_EMBED_BASE_URL", "http://127.0.0.1:8092/v1")
API_KEY = os.environ.get("PLUGSTACK_OPENAI_TEST_API_KEY", "conformance-local-key")


class TestOpenAICompatibleConformance(InferenceConformance):
    chat_model = os.environ.get("PLUGSTACK_OPENAI_TEST_CHAT_MODEL", "smollm2-135m")
    provider_type = "remote::openai-compatible"
    sdk_modules = ("plugstack_openai.adapter", "aiohttp")
    embedding_model = os.environ.get("PLUGSTACK_OPENAI_TEST_EMBEDDING_MODEL", "smollm2-135m-embed")
    unsupported: ClassVar[dict[str, str]] = {
        "structured_output": "llama-cpp-python's server accepts response_format json_object, not json_schema (500)",
        "tool_results": "llama-cpp-python's server rejects an assistant turn with content null and tool_calls (500)",
        "tool_calling_streaming": "llama-cpp-python's server repeats the function name in every tool-call delta",
        "stream_usage": "llama-cpp-python's server ignores stream_options.include_usage",
        "upstream_not_found": "llama-cpp-python's server answers with its one model whatever the model id",
        "embedding_dimensions": "llama-cpp-python's server ignores the dimensions parameter",
        "cached_tokens": "llama-cpp-python's server reports no prompt_tokens_details",
    }

    @classmethod
    def run_config(cls, *, valid_credentials: bool = True) -> dict[str, Any]:
        api_key = API_KEY if valid_credentials else "wrong-key-for-conformance"
        return {
            "distribution_name": "openai-conformance",
            "providers": {
                "inference": [
                    {
                        "provider_id": "llama",
                        "provider_type": "remote::openai-compatible",
                        "config": {"base_url": CHAT_URL, "api_key": api_key},
                    },
                    {
                        "provider_id": "llama-embed",
                        "provider_type": "remote::openai-compatible",
                        "config": {"base_url": EMBED_URL, "models": [], "embedding_models": [cls.embedding_model]},
                    },
                ]
            },
        }
