"""``inline::sentence-embeddings``: the numpy encoder against sentence-transformers, and the provider.

``st_reference.npz`` holds embeddings that sentence-transformers (torch, CPU) computed for
the same weights (``make_reference.py`` says how it was made); torch is not installed here.
"""

from __future__ import annotations

import math
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import plugstack_sentence_embeddings
import pytest
from plugstack_sentence_embeddings.bert import SentenceEncoder, erf
from plugstack_sentence_embeddings.provider import default_model_path

from plugstack.errors import BadRequestError, ConfigError, NotImplementedByProviderError
from plugstack.plugins import PluginHost, new_plugin_host
from plugstack.stack import Stack

REFERENCE = np.load(Path(__file__).with_name("st_reference.npz"))


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder(default_model_path())


def test_matches_sentence_transformers(encoder: SentenceEncoder) -> None:
    texts = [str(t) for t in REFERENCE["texts"]]
    vectors, tokens = encoder.encode(texts)
    assert vectors.shape == (len(texts), 384)
    assert np.abs(vectors - REFERENCE["embeddings"]).max() < 1e-6
    assert tokens > len(texts) * 2  # [CLS] and [SEP] at least, padding not counted


def test_onnxruntime_backend_matches_sentence_transformers_and_numpy(encoder: SentenceEncoder) -> None:
    texts = [str(t) for t in REFERENCE["texts"]]
    fast = SentenceEncoder(default_model_path(), backend="onnxruntime")
    vectors, tokens = fast.encode(texts)
    assert np.abs(vectors - REFERENCE["embeddings"]).max() < 1e-6
    assert np.abs(vectors - encoder.encode(texts)[0]).max() < 1e-6
    assert tokens == encoder.encode(texts)[1]


def test_batching_does_not_change_results(encoder: SentenceEncoder) -> None:
    texts = [str(t) for t in REFERENCE["texts"]]
    one_by_one, _ = encoder.encode(texts, batch_size=1)
    batched, _ = encoder.encode(texts, batch_size=8)
    assert np.abs(one_by_one - batched).max() < 1e-6


def test_float32_matches_a_float64_forward_pass(encoder: SentenceEncoder) -> None:
    texts = ["vector stores index chunks of files", "a second, unrelated sentence about cooking pasta"]
    exact = SentenceEncoder(default_model_path(), dtype=np.float64).encode(texts)[0]
    assert np.abs(encoder.encode(texts)[0] - exact).max() < 1e-6


def test_erf_matches_math_erf() -> None:
    xs = np.linspace(-7.0, 7.0, 20001)
    assert np.abs(erf(xs.copy()) - np.array([math.erf(x) for x in xs])).max() < 1e-7


@pytest.fixture
def plugin_host() -> PluginHost:
    host = new_plugin_host()
    assert host.register(plugstack_sentence_embeddings, name="sentence_embeddings")
    return host


@pytest.fixture
async def stack(plugin_host: PluginHost, tmp_path: Path) -> AsyncIterator[Stack]:
    config: dict[str, Any] = {
        "distribution_name": "embeddings-test",
        "providers": {
            "inference": [{"provider_id": "minilm", "provider_type": "inline::sentence-embeddings", "config": {}}]
        },
        "storage": {"kvstore": {"db_path": str(tmp_path / "kv.db")}},
    }
    async with await Stack.from_config(config, host=plugin_host) as started:
        yield started


async def test_served_through_the_inference_api(stack: Stack) -> None:
    model = await stack.models.get_model("all-MiniLM-L6-v2")
    assert model.model_type == "embedding"
    assert model.metadata["embedding_dimension"] == 384
    response = await stack.inference.embeddings(
        model="all-MiniLM-L6-v2",
        input=["A cat sits on the mat.", "A kitten is sitting on a rug.", "Quarterly tax filing deadlines"],
    )
    vectors = np.array([item.embedding for item in response.data])
    assert response.model == "all-MiniLM-L6-v2"
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.3
    assert response.usage.prompt_tokens > 0


async def test_refuses_what_it_cannot_do(stack: Stack) -> None:
    with pytest.raises(BadRequestError, match="token ids"):
        await stack.inference.embeddings(model="all-MiniLM-L6-v2", input=[[101, 102]])
    with pytest.raises(BadRequestError, match="384 dimensions"):
        await stack.inference.embeddings(model="all-MiniLM-L6-v2", input="x", dimensions=128)
    with pytest.raises(BadRequestError, match="embedding model"):
        await stack.inference.chat_completion(model="all-MiniLM-L6-v2", messages=[{"role": "user", "content": "hi"}])


async def test_chat_is_refused_by_the_provider_itself() -> None:
    from plugstack_sentence_embeddings.config import SentenceEmbeddingsConfig
    from plugstack_sentence_embeddings.provider import SentenceEmbeddingsProvider

    with pytest.raises(NotImplementedByProviderError):
        await SentenceEmbeddingsProvider(SentenceEmbeddingsConfig()).chat_completion(None)


@pytest.mark.parametrize("broken", ["minilm-a", "minilm-b"])
async def test_two_providers_name_the_one_that_cannot_start(
    plugin_host: PluginHost, tmp_path: Path, broken: str
) -> None:
    """Two ``inline::sentence-embeddings`` entries of one run config: the start-up error says which one failed."""
    empty = tmp_path / "no-model"
    empty.mkdir()
    config: dict[str, Any] = {
        "distribution_name": "two-encoders",
        "providers": {
            "inference": [
                {
                    "provider_id": provider_id,
                    "provider_type": "inline::sentence-embeddings",
                    "config": {"model_id": provider_id, "backend": "numpy"}
                    | ({"model_path": str(empty)} if provider_id == broken else {}),
                }
                for provider_id in ("minilm-a", "minilm-b")
            ]
        },
        "storage": {"kvstore": {"db_path": str(tmp_path / "kv.db")}},
    }
    expected = f"provider {broken!r}: inline::sentence-embeddings: {empty} has no model.safetensors"
    with pytest.raises(ConfigError, match=re.escape(expected)):
        await Stack.from_config(config, host=plugin_host)
