"""The mock upstream speaks the OpenAI API well enough for the official SDK."""

from __future__ import annotations

import aiohttp
import openai
import pytest

from bench.mock_upstream import ANSWER_WORDS, EMBEDDING_DIMENSION, MODEL_IDS


async def test_models_and_chat_completion(mock_url: str) -> None:
    async with openai.AsyncOpenAI(base_url=mock_url, api_key="unused") as client:
        assert [m.id for m in (await client.models.list()).data] == MODEL_IDS
        first = await client.chat.completions.create(model="any-model", messages=[{"role": "user", "content": "hi"}])
        second = await client.chat.completions.create(model="any-model", messages=[{"role": "user", "content": "hi"}])
    assert first.model == "any-model"
    assert first.choices[0].message.content == " ".join(ANSWER_WORDS)
    assert first.usage is not None and first.usage.completion_tokens == len(ANSWER_WORDS)
    assert first.id != second.id  # stores that key on the id (Llama Stack) need unique ids


async def test_stream_sends_one_chunk_per_word_then_usage(mock_url: str) -> None:
    async with openai.AsyncOpenAI(base_url=mock_url, api_key="unused") as client:
        stream = await client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "hi"}], stream=True, stream_options={"include_usage": True}
        )
        chunks = [chunk async for chunk in stream]
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == " ".join(ANSWER_WORDS)
    assert chunks[-2].choices[0].finish_reason == "stop"
    assert chunks[-1].usage is not None and not chunks[-1].choices


async def test_stream_ends_with_done_on_the_wire(mock_url: str) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.post(
            mock_url + "/chat/completions", json={"model": "m", "messages": [], "stream": True}
        ) as response:
            assert response.headers["content-type"] == "text/event-stream"
            lines = [line.strip() async for line in response.content if line.strip()]
    assert lines[-1] == b"data: [DONE]"
    assert len(lines) == len(ANSWER_WORDS) + 3  # role chunk, words, finish chunk, [DONE]


async def test_embeddings_one_vector_per_input(mock_url: str) -> None:
    async with openai.AsyncOpenAI(base_url=mock_url, api_key="unused") as client:
        result = await client.embeddings.create(model="mock-embed", input=["a", "b", "c"], encoding_format="float")
    assert [d.index for d in result.data] == [0, 1, 2]
    assert all(len(d.embedding) == EMBEDDING_DIMENSION for d in result.data)


async def test_unknown_route_and_bad_body_get_openai_errors(mock_url: str) -> None:
    async with openai.AsyncOpenAI(base_url=mock_url, api_key="unused", max_retries=0) as client:
        with pytest.raises(openai.NotFoundError):
            await client.completions.create(model="m", prompt="hi")
    async with aiohttp.ClientSession() as session:
        async with session.post(mock_url + "/chat/completions", data=b"not json") as response:
            assert response.status == 400
            assert "model" in (await response.json())["error"]["message"]


async def test_offered_tools_get_one_call_then_an_answer(mock_url: str) -> None:
    tools = [
        {
            "type": "function",
            "function": {
                "name": "add",
                "parameters": {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]},
            },
        }
    ]
    async with openai.AsyncOpenAI(base_url=mock_url, api_key="unused") as client:
        asked = [{"role": "user", "content": "add"}]
        first = await client.chat.completions.create(model="m", messages=asked, tools=tools)  # type: ignore[arg-type]
        [call] = first.choices[0].message.tool_calls or []
        assert first.choices[0].finish_reason == "tool_calls"
        assert (call.function.name, call.function.arguments) == ("add", '{"a": 1}')  # type: ignore[union-attr]
        stream = await client.chat.completions.create(model="m", messages=asked, tools=tools, stream=True)  # type: ignore[arg-type]
        chunks = [chunk async for chunk in stream]
        assert chunks[0].choices[0].delta.tool_calls[0].function.name == "add"  # type: ignore[index,union-attr]
        answered = [
            *asked,
            first.choices[0].message.model_dump(),
            {"role": "tool", "tool_call_id": call.id, "content": "1"},
        ]
        second = await client.chat.completions.create(model="m", messages=answered, tools=tools)  # type: ignore[arg-type]
        assert second.choices[0].message.content == " ".join(ANSWER_WORDS)
