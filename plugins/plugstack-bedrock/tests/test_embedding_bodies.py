"""InvokeModel bodies of the embedding model families, as AWS documents them."""

from __future__ import annotations

import pytest
from plugstack_bedrock.embeddings import cohere_body, embedding_family, read_cohere, read_titan, texts_of, titan_body

from plugstack.errors import BadRequestError, NotImplementedByProviderError


@pytest.mark.parametrize(
    ("model", "family"),
    [
        ("amazon.titan-embed-text-v2:0", "titan"),
        ("amazon.titan-embed-text-v1", "titan"),
        ("cohere.embed-english-v3", "cohere"),
        ("arn:aws:bedrock:us-east-1::foundation-model/cohere.embed-multilingual-v3", "cohere"),
    ],
)
def test_family_from_model_id(model: str, family: str) -> None:
    assert embedding_family(model) == family


def test_chat_model_cannot_embed() -> None:
    with pytest.raises(NotImplementedByProviderError, match="Titan or Cohere"):
        embedding_family("amazon.nova-micro-v1:0")


def test_titan_request_and_response() -> None:
    assert titan_body("hello", None) == {"inputText": "hello"}
    assert titan_body("hello", 256) == {"inputText": "hello", "dimensions": 256}
    vector, tokens = read_titan({"embedding": [0.1, -0.2], "inputTextTokenCount": 2, "embeddingsByType": {}})
    assert (vector, tokens) == ([0.1, -0.2], 2)
    with pytest.raises(ValueError, match="not a Titan"):
        read_titan({"results": []})


def test_cohere_request_and_both_response_shapes() -> None:
    assert cohere_body(["a", "b"], None) == {
        "texts": ["a", "b"],
        "input_type": "search_document",
        "embedding_types": ["float"],
    }
    assert read_cohere({"embeddings": [[1, 2], [3, 4]], "response_type": "embeddings_floats"}) == [
        [1.0, 2.0],
        [3.0, 4.0],
    ]
    assert read_cohere({"embeddings": {"float": [[5, 6]]}, "response_type": "embeddings_by_type"}) == [[5.0, 6.0]]
    with pytest.raises(NotImplementedByProviderError):
        cohere_body(["a"], 256)


def test_token_id_input_is_refused() -> None:
    assert texts_of("x") == ["x"]
    with pytest.raises(BadRequestError):
        texts_of([1, 2, 3])
