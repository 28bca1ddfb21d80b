"""``remote::anthropic`` against the shared inference conformance suite, from cassettes.

The cassettes were recorded against the LiteLLM proxy's Anthropic Messages endpoint in
front of llama-cpp-python's server with SmolLM2-135M-Instruct (see
``cassettes/README.md``); what that pair does not reproduce faithfully is declared
unsupported below, with the reason.
"""

from __future__ import annotations

from typing import Any, ClassVar

from plugstack.testing.conformance import InferenceConformance


class TestAnthropicConformance(InferenceConformance):
    chat_model = "claude-smollm2"
    provider_type = "remote::anthropic"
    sdk_modules = ("anthropic", "plugstack_anthropic.adapter")
    unsupported: ClassVar[dict[str, str]] = {
        "embeddings": "Anthropic serves no embedding models",
        "embedding_dimensions": "Anthropic serves no embedding models",
        "upstream_not_found": "the recording server (llama_cpp.server behind LiteLLM) answers for any model id",
        "cached_tokens": "the recording servers report no prompt cache usage",
        "tool_results": (
            "LiteLLM forwards the assistant tool_use turn with no text content, which llama_cpp.server's "
            "chat template cannot render ('dict object' has no attribute 'content')"
        ),
        "tool_calling_streaming": (
            "LiteLLM turns each streamed OpenAI tool-call fragment from llama_cpp.server into a new tool_use "
            "content block with the same id, which Anthropic never sends; the translation of real "
            "input_json_delta streams is unit-tested in test_messages.py"
        ),
        "auth_error": "LiteLLM without a database answers an unknown key with 400 'No connected db.', not 401",
    }

    @classmethod
    def run_config(cls, *, valid_credentials: bool = True) -> dict[str, Any]:
        key = "${env.ANTHROPIC_API_KEY:=plugstack-local-key}" if valid_credentials else "wrong-key-for-conformance"
        config = {
            "api_key": key,
            "base_url": "${env.PLUGSTACK_TEST_ANTHROPIC_BASE_URL:=http://127.0.0.1:18434}",
            "max_retries": 0,  # one request, one recorded interaction
        }
        return {
            "distribution_name": "anthropic-conformance",
            "providers": {
                "inference": [{"provider_id": "anthropic", "provider_type": "remote::anthropic", "config": config}]
            },
        }
