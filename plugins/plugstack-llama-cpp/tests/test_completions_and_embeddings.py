"""Text completions and embeddings of ``inline::llama-cpp`` on the tiny generated model."""

from __future__ import annotations

import math

import pytest

from plugstack.apis.inference import Completion
from plugstack.errors import BadRequestError, NotImplementedByProviderError
from plugstack.stack import Stack


async def test_completion_streamed_and_not_agree(stack: Stack) -> None:
    whole = await stack.inference.completion(model="tiny", prompt="hello world", max_tokens=8, temperature=0)
    assert isinstance(whole, Completion)
    assert whole.choices[0].finish_reason == "length"
    assert whole.usage is not None and whole.usage.completion_tokens == 8
    chunks = [
        c
        async for c in await stack.inference.completion(
            model="tiny", prompt="hello world", max_tokens=8, temperature=0, stream=True
        )
    ]  # type: ignore[union-attr]
    assert "".join(choice.text for c in chunks for choice in c.choices) == whole.choices[0].text
    assert len(chunks) > 3 and all(c.usage is None for c in chunks)


async def test_completion_of_token_ids_and_echo(stack: Stack) -> None:
    by_text = await stack.inference.completion(model="tiny", prompt="hello", max_tokens=4, temperature=0, echo=True)
    assert by_text.choices[0].text.startswith("hello")  # type: ignore[union-attr]
    tokens = [1, 418, 272, 272, 275]  # <s> he l l o: how the tiny vocabulary tokenizes "hello"
    by_ids = await stack.inference.completion(model="tiny", prompt=tokens, max_tokens=4, temperature=0)
    assert by_ids.usage is not None and by_ids.usage.prompt_tokens == 5  # type: ignore[union-attr]
    assert by_text.choices[0].text == "hello" + by_ids.choices[0].text  # type: ignore[union-attr]


async def test_completion_logprobs(stack: Stack) -> None:
    reply = await stack.inference.completion(model="tiny", prompt="hello", max_tokens=5, temperature=0, logprobs=2)
    logprobs = reply.choices[0].logprobs  # type: ignore[union-attr]
    assert logprobs is not None and len(logprobs["tokens"]) == len(logprobs["token_logprobs"]) == 5
    assert all(isinstance(lp, float) and lp <= 0 for lp in logprobs["token_logprobs"])


async def test_completion_batches_and_suffix_are_not_implemented(stack: Stack) -> None:
    with pytest.raises(NotImplementedByProviderError, match="batch"):
        await stack.inference.completion(model="tiny", prompt=["a", "b"], max_tokens=2)
    with pytest.raises(NotImplementedByProviderError, match="suffix"):
        await stack.inference.completion(model="tiny", prompt="a", suffix="b", max_tokens=2)


async def test_embeddings_one_vector_per_input(stack: Stack) -> None:
    texts = ["the cat sat", "stock markets fell", "lemon cake"]
    batch = await stack.inference.embeddings(model="tiny-embed", input=texts)
    vectors = [item.embedding for item in batch.data]
    assert [item.index for item in batch.data] == [0, 1, 2]
    assert {len(v) for v in vectors} == {64}, "the tiny model's embedding length"
    assert len({tuple(v) for v in vectors}) == 3  # type: ignore[arg-type]
    single = await stack.inference.embeddings(model="tiny-embed", input=texts[1])
    assert single.data[0].embedding == pytest.approx(vectors[1], abs=1e-5)
    assert batch.usage.prompt_tokens > 3
    assert all(math.isfinite(x) for v in vectors for x in v)  # type: ignore[union-attr]


async def test_embedding_dimensions_must_match(stack: Stack) -> None:
    with pytest.raises(BadRequestError, match="64-dimensional"):
        await stack.inference.embeddings(model="tiny-embed", input="x", dimensions=8)


async def test_embeddings_from_a_chat_model_are_a_bad_request(stack: Stack) -> None:
    with pytest.raises(BadRequestError, match="not an embedding model"):
        await stack.inference.embeddings(model="tiny", input="x")
