"""Chat completions of ``inline::llama-cpp`` on the tiny generated model, through a real Stack."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from plugstack.apis.inference import ChatCompletion, ChatCompletionChunk, ChatCompletionRequest
from plugstack.errors import BadRequestError, NotImplementedByProviderError
from plugstack.stack import Stack
from plugstack.testing.tiny_gguf import write_tiny_gguf

HELLO = [{"role": "user", "content": "hello there"}]
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"enum": ["paris", "london"]}, "days": {"type": "integer"}},
            "required": ["city", "days"],
        },
    },
}


async def chat(stack: Stack, messages: list[dict[str, Any]] = HELLO, **params: Any) -> ChatCompletion:
    reply = await stack.inference.chat_completion(model="tiny", messages=messages, **params)
    assert isinstance(reply, ChatCompletion)
    return reply


async def stream(stack: Stack, messages: list[dict[str, Any]] = HELLO, **params: Any) -> list[ChatCompletionChunk]:
    chunks = await stack.inference.chat_completion(model="tiny", messages=messages, stream=True, **params)
    return [chunk async for chunk in chunks]  # type: ignore[union-attr]


async def test_greedy_answer_is_the_same_streamed_and_not(stack: Stack) -> None:
    whole = await chat(stack, max_tokens=12, temperature=0)
    chunks = await stream(stack, max_tokens=12, temperature=0, stream_options={"include_usage": True})
    assert chunks[0].choices[0].delta == {"role": "assistant", "content": ""}
    pieces = [c.choices[0].delta["content"] for c in chunks[1:] if c.choices and c.choices[0].delta.get("content")]
    assert len(pieces) > 3, "streamed token by token, not in one piece"
    assert "".join(pieces) == whole.choices[0].message.content
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["length"]
    assert chunks[-1].choices == [] and chunks[-1].usage == whole.usage
    assert whole.usage is not None and whole.usage.completion_tokens == 12
    assert whole.usage.total_tokens == whole.usage.prompt_tokens + 12


def test_greedy_answer_is_the_same_in_another_process(tiny_model: Path) -> None:
    script = (
        "import sys, llama_cpp\n"
        "llm = llama_cpp.Llama(sys.argv[1], n_ctx=256, verbose=False)\n"
        "out = llm.create_completion(llm.tokenize(b'hello there'), max_tokens=16, temperature=0)\n"
        "print(out['choices'][0]['text'], end='')\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script, str(tiny_model)], capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    ]
    assert runs[0] and runs[0] == runs[1]


async def test_same_seed_same_text_other_seed_other_text(stack: Stack) -> None:
    first = await chat(stack, max_tokens=24, temperature=1.0, seed=7)
    again = await chat(stack, max_tokens=24, temperature=1.0, seed=7)
    other = await chat(stack, max_tokens=24, temperature=1.0, seed=8)
    assert first.choices[0].message.content == again.choices[0].message.content
    assert first.choices[0].message.content != other.choices[0].message.content


async def test_stop_sequence_cuts_the_answer(stack: Stack) -> None:
    full = (await chat(stack, max_tokens=24, temperature=0)).choices[0].message.content or ""
    stop = full[8:11]
    cut = await chat(stack, max_tokens=24, temperature=0, stop=[stop])
    assert cut.choices[0].message.content == full[: full.index(stop)]
    assert cut.choices[0].finish_reason == "stop"


async def test_logprobs_with_top_alternatives(stack: Stack) -> None:
    reply = await chat(stack, max_tokens=6, temperature=0, logprobs=True, top_logprobs=3)
    entries = reply.choices[0].logprobs["content"]  # type: ignore[index]
    assert len(entries) == 6
    for entry in entries:
        assert entry["logprob"] <= 0
        alternatives = [alt["logprob"] for alt in entry["top_logprobs"]]
        # llama-cpp-python keys alternatives by text: byte tokens that decode to the same
        # partial UTF-8 ('') merge, so an entry may list fewer than asked
        assert 1 <= len(alternatives) <= 3 and alternatives == sorted(alternatives, reverse=True)
        assert entry["logprob"] <= alternatives[0]
    assert any(len(entry["top_logprobs"]) == 3 for entry in entries)
    streamed = await stream(stack, max_tokens=6, temperature=0, logprobs=True, top_logprobs=3)
    streamed_entries = [e for c in streamed for choice in c.choices for e in (choice.logprobs or {}).get("content", [])]
    assert streamed_entries == entries


async def test_logprobs_need_the_model_configured_for_them(host: Any, run_config: Any, tiny_model: Path) -> None:
    config = run_config(models=[{"model_id": "tiny", "path": str(tiny_model), "n_ctx": 256}])
    async with await Stack.from_config(config, host=host) as stack:
        with pytest.raises(BadRequestError, match="logprobs: true"):
            await chat(stack, max_tokens=2, logprobs=True)


async def test_json_object_output_parses(stack: Stack) -> None:
    # the tiny model's JSON is random; with this seed it writes a non-empty object and closes it
    reply = await chat(stack, max_tokens=200, temperature=1.0, seed=2, response_format={"type": "json_object"})
    assert reply.choices[0].finish_reason == "stop"
    value = json.loads(reply.choices[0].message.content or "")
    assert isinstance(value, dict) and value


async def test_json_schema_output_validates(stack: Stack) -> None:
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "age": {"type": "integer"}, "ok": {"type": "boolean"}},
        "required": ["name", "age", "ok"],
        "additionalProperties": False,
    }
    response_format = {"type": "json_schema", "json_schema": {"name": "person", "schema": schema}}
    reply = await chat(stack, max_tokens=200, temperature=0, response_format=response_format)
    value = json.loads(reply.choices[0].message.content or "")
    assert set(value) == {"name", "age", "ok"}
    assert isinstance(value["name"], str) and isinstance(value["age"], int) and isinstance(value["ok"], bool)


async def test_unsupported_schema_is_a_bad_request(stack: Stack) -> None:
    response_format = {"type": "json_schema", "json_schema": {"name": "x", "schema": "not a schema"}}
    with pytest.raises(BadRequestError, match="schema"):
        await chat(stack, max_tokens=4, response_format=response_format)


@pytest.mark.parametrize("tool_choice", ["required", {"type": "function", "function": {"name": "get_weather"}}])
async def test_forced_tool_call_is_valid(stack: Stack, tool_choice: Any) -> None:
    reply = await chat(stack, max_tokens=120, temperature=0, tools=[WEATHER_TOOL], tool_choice=tool_choice)
    choice = reply.choices[0]
    assert choice.finish_reason == "tool_calls" and choice.message.content is None
    [call] = choice.message.tool_calls or []
    assert call["function"]["name"] == "get_weather" and call["id"].startswith("call_")
    arguments = json.loads(call["function"]["arguments"])
    assert arguments["city"] in ("paris", "london") and isinstance(arguments["days"], int)


async def test_streamed_tool_call_arrives_whole(stack: Stack) -> None:
    chunks = await stream(stack, max_tokens=120, temperature=0, tools=[WEATHER_TOOL], tool_choice="required")
    deltas = [d for c in chunks for choice in c.choices for d in choice.delta.get("tool_calls") or []]
    assert len(deltas) == 1 and deltas[0]["index"] == 0
    assert json.loads(deltas[0]["function"]["arguments"])["city"] in ("paris", "london")
    assert chunks[-1].choices[0].finish_reason == "tool_calls"


async def test_auto_tool_choice_gives_a_call_or_text_not_starting_like_one(stack: Stack) -> None:
    for seed in range(4):
        reply = await chat(stack, max_tokens=120, temperature=1.0, seed=seed, tools=[WEATHER_TOOL])
        message = reply.choices[0].message
        if message.tool_calls:
            assert json.loads(message.tool_calls[0]["function"]["arguments"])["city"] in ("paris", "london")
        else:
            assert message.content and not message.content.startswith("{")


async def test_tool_results_in_the_history_are_accepted(stack: Stack) -> None:
    call = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "paris"}'}}
    messages = [
        {"role": "user", "content": "weather?"},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "call_1", "content": '{"weather": "sunny"}'},
    ]
    reply = await chat(stack, messages, max_tokens=4, tools=[WEATHER_TOOL], tool_choice="none")
    assert reply.choices[0].message.content and not reply.choices[0].message.tool_calls


async def test_prompt_longer_than_the_context_is_a_bad_request_naming_both_numbers(stack: Stack) -> None:
    with pytest.raises(BadRequestError) as info:
        await chat(stack, [{"role": "user", "content": "hello " * 1200}], max_tokens=4)
    assert info.value.status_code == 400 and info.value.code == "context_length_exceeded"
    assert "1024 tokens" in info.value.message
    prompt_tokens = int(info.value.message.split("the prompt is ")[1].split()[0])
    assert prompt_tokens > 1024


async def test_streamed_errors_raise_before_the_first_chunk(stack: Stack) -> None:
    with pytest.raises(BadRequestError, match="context window"):
        await stack.inference.chat_completion(
            model="tiny", messages=[{"role": "user", "content": "hello " * 1200}], stream=True
        )


async def test_image_content_is_not_implemented(stack: Stack) -> None:
    image = {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}
    with pytest.raises(NotImplementedByProviderError, match="image_url"):
        await chat(stack, [{"role": "user", "content": [{"type": "text", "text": "what is it?"}, image]}])


async def test_chat_on_an_embedding_model_is_a_bad_request(stack: Stack) -> None:
    with pytest.raises(BadRequestError, match="embedding model"):
        await stack.inference.chat_completion(model="tiny-embed", messages=HELLO)
    provider = stack.inference.table.providers["llama"]  # the router refused; the provider refuses too
    with pytest.raises(BadRequestError, match="is an embedding model"):
        await provider.chat_completion(ChatCompletionRequest(model="tiny-embed", messages=HELLO))


async def test_cached_tokens_count_the_reused_prompt_prefix(host: Any, run_config: Any, tiny_model: Path) -> None:
    config = run_config(models=[{"model_id": "tiny", "path": str(tiny_model), "n_ctx": 1024}])
    async with await Stack.from_config(config, host=host) as stack:
        first = await chat(stack, max_tokens=4)
        second = await chat(stack, max_tokens=4)
    assert first.usage is not None and first.usage.prompt_tokens_details == {"cached_tokens": 0}
    assert second.usage is not None and second.usage.prompt_tokens == first.usage.prompt_tokens
    # all but the last prompt token, whose logits llama.cpp computes again
    assert second.usage.prompt_tokens_details == {"cached_tokens": first.usage.prompt_tokens - 1}


async def test_no_cached_tokens_when_prefix_reuse_is_off(stack: Stack) -> None:
    await chat(stack, max_tokens=4)
    again = await chat(stack, max_tokens=4)
    assert again.usage is not None and again.usage.prompt_tokens_details == {"cached_tokens": 0}


async def test_a_configured_chat_format_goes_through_llama_cpp_python(
    host: Any, run_config: Any, tiny_model: Path, tmp_path: Path
) -> None:
    no_template = write_tiny_gguf(tmp_path / "plain.gguf", chat_template=None)
    models = [
        {"model_id": "tiny", "path": str(tiny_model), "n_ctx": 1024, "chat_format": "chatml"},
        {"model_id": "plain", "path": str(no_template), "n_ctx": 1024},  # no template: llama-cpp-python's fallback
    ]
    async with await Stack.from_config(run_config(models=models), host=host) as stack:
        for model in ("tiny", "plain"):
            whole = await stack.inference.chat_completion(model=model, messages=HELLO, max_tokens=8, temperature=0)
            assert isinstance(whole, ChatCompletion) and whole.choices[0].message.content
            assert whole.choices[0].finish_reason == "length"
            chunks = await stack.inference.chat_completion(
                model=model, messages=HELLO, max_tokens=8, temperature=0, stream=True
            )
            text = "".join([c.choices[0].delta.get("content") or "" async for c in chunks if c.choices])  # type: ignore[union-attr]
            assert text == whole.choices[0].message.content
        schema = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}
        reply = await chat(
            stack,
            max_tokens=100,
            temperature=0,
            response_format={"type": "json_schema", "json_schema": {"schema": schema}},
        )
        assert isinstance(json.loads(reply.choices[0].message.content or "")["ok"], bool)
        with pytest.raises(BadRequestError, match="context window"):
            await chat(stack, [{"role": "user", "content": "hello " * 1200}], max_tokens=2)
