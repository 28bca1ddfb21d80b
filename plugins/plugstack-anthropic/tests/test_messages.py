"""OpenAI chat ↔ Anthropic Messages translation (pure functions, no network)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from plugstack_anthropic.messages import (
    MessageStreamTranslator,
    chat_completion_from_message,
    json_tool_name,
    messages_request,
)

from plugstack.apis.inference import ChatCompletionRequest
from plugstack.errors import BadRequestError, NotImplementedByProviderError

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def request(**fields: Any) -> ChatCompletionRequest:
    return ChatCompletionRequest.model_validate({"model": "claude-3-5-haiku-latest", **fields})


def translate(**fields: Any) -> dict[str, Any]:
    return messages_request(request(**fields), default_max_tokens=1024)


def test_system_multi_turn_sampling_and_default_max_tokens() -> None:
    params = translate(
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "developer", "content": "No emoji."},
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello!"},
            {"role": "user", "content": "Name a colour"},
        ],
        temperature=0.5,
        top_p=0.9,
        stop=["\n\n", "END"],
        seed=42,
        user="u-1",
    )
    assert params == {
        "model": "claude-3-5-haiku-latest",
        "system": "Be brief.\n\nNo emoji.",
        "messages": [
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello!"},
            {"role": "user", "content": "Name a colour"},
        ],
        "max_tokens": 1024,
        "temperature": 0.5,
        "top_p": 0.9,
        "stop_sequences": ["\n\n", "END"],
        "metadata": {"user_id": "u-1"},
    }


def test_max_completion_tokens_wins_over_the_default() -> None:
    assert translate(messages=[{"role": "user", "content": "x"}], max_completion_tokens=7)["max_tokens"] == 7
    assert translate(messages=[{"role": "user", "content": "x"}], max_tokens=9)["max_tokens"] == 9


def test_images_by_url_and_base64() -> None:
    parts = [
        {"type": "text", "text": "Compare"},
        {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
        {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,/9j/4AAQ"}},
    ]
    blocks = translate(messages=[{"role": "user", "content": parts}])["messages"][0]["content"]
    assert blocks[1] == {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}}
    assert blocks[2] == {"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": "/9j/4AAQ"}}
    with pytest.raises(BadRequestError):
        translate(messages=[{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "ftp://x"}}]}])


def test_parallel_tool_calls_and_their_results() -> None:
    params = translate(
        messages=[
            {"role": "user", "content": "Weather in Paris and Rome?"},
            {
                "role": "assistant",
                "content": "Checking both.",
                "tool_calls": [
                    {
                        "id": "toolu_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                    },
                    {
                        "id": "toolu_2",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "Rome"}'},
                    },
                ],
            },
            {"role": "tool", "tool_call_id": "toolu_1", "content": "18C"},
            {"role": "tool", "tool_call_id": "toolu_2", "content": [{"type": "text", "text": "24C"}]},
        ],
        tools=[WEATHER],
    )
    assert params["messages"][1] == {
        "role": "assistant",
        "content": [
            {"type": "text", "text": "Checking both."},
            {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}},
            {"type": "tool_use", "id": "toolu_2", "name": "get_weather", "input": {"city": "Rome"}},
        ],
    }
    assert params["messages"][2] == {
        "role": "user",
        "content": [
            {"type": "tool_result", "tool_use_id": "toolu_1", "content": "18C"},
            {"type": "tool_result", "tool_use_id": "toolu_2", "content": "24C"},
        ],
    }
    assert params["tools"] == [
        {"name": "get_weather", "description": "Current weather", "input_schema": WEATHER["function"]["parameters"]}
    ]
    assert "tool_choice" not in params


@pytest.mark.parametrize(
    ("tool_choice", "parallel", "expected"),
    [
        ("auto", None, {"type": "auto"}),
        ("required", None, {"type": "any"}),
        ("none", None, {"type": "none"}),
        ({"type": "function", "function": {"name": "get_weather"}}, None, {"type": "tool", "name": "get_weather"}),
        ("required", False, {"type": "any", "disable_parallel_tool_use": True}),
        (None, False, {"type": "auto", "disable_parallel_tool_use": True}),
        ("none", False, {"type": "none"}),
    ],
)
def test_tool_choice(tool_choice: Any, parallel: bool | None, expected: dict[str, Any]) -> None:
    params = translate(
        messages=[{"role": "user", "content": "x"}],
        tools=[WEATHER],
        tool_choice=tool_choice,
        parallel_tool_calls=parallel,
    )
    assert params["tool_choice"] == expected


def test_unsupported_parameters_are_refused_with_a_clear_error() -> None:
    with pytest.raises(NotImplementedByProviderError, match="logprobs"):
        translate(messages=[{"role": "user", "content": "x"}], logprobs=True)
    with pytest.raises(NotImplementedByProviderError, match="n must be 1"):
        translate(messages=[{"role": "user", "content": "x"}], n=3)


def test_json_schema_response_format_is_a_forced_tool_answered_as_content() -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
    req = request(
        messages=[{"role": "user", "content": "A name?"}],
        response_format={"type": "json_schema", "json_schema": {"name": "person", "schema": schema}},
    )
    params = messages_request(req, default_max_tokens=64)
    assert params["tools"][-1]["name"] == "person" and params["tools"][-1]["input_schema"] == schema
    assert params["tool_choice"] == {"type": "tool", "name": "person"}
    message = {
        "id": "msg_1",
        "content": [{"type": "tool_use", "id": "toolu_9", "name": "person", "input": {"name": "Ada"}}],
        "stop_reason": "tool_use",
        "usage": {"input_tokens": 10, "output_tokens": 5},
    }
    completion = chat_completion_from_message(message, model="m", json_tool=json_tool_name(req))
    assert json.loads(completion.choices[0].message.content or "") == {"name": "Ada"}
    assert completion.choices[0].finish_reason == "stop"
    assert completion.choices[0].message.tool_calls is None


@pytest.mark.parametrize(
    ("stop_reason", "finish_reason"),
    [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("max_tokens", "length"),
        ("tool_use", "tool_calls"),
        ("refusal", "content_filter"),
    ],
)
def test_message_to_completion_with_cache_usage(stop_reason: str, finish_reason: str) -> None:
    message = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "content": [
            {"type": "text", "text": "Let me check."},
            {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}},
        ],
        "stop_reason": stop_reason,
        "usage": {
            "input_tokens": 20,
            "output_tokens": 8,
            "cache_read_input_tokens": 1000,
            "cache_creation_input_tokens": 50,
        },
    }
    completion = chat_completion_from_message(message, model="m", json_tool=None)
    assert completion.id == "msg_1"
    choice = completion.choices[0]
    assert (choice.finish_reason, choice.message.content) == (finish_reason, "Let me check.")
    assert choice.message.tool_calls == [
        {"id": "toolu_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}
    ]
    usage = completion.usage
    assert usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (1070, 8, 1078)
    assert usage.prompt_tokens_details == {"cached_tokens": 1000, "cache_write_tokens": 50}


def stream_events() -> list[dict[str, Any]]:
    """The event sequence of a streamed answer with text and two parallel tool calls."""
    return [
        {
            "type": "message_start",
            "message": {"id": "msg_7", "usage": {"input_tokens": 30, "output_tokens": 1, "cache_read_input_tokens": 4}},
        },
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        {"type": "ping"},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Checking"}},
        {"type": "content_block_stop", "index": 0},
        {
            "type": "content_block_start",
            "index": 1,
            "content_block": {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {}},
        },
        {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": ""}},
        {
            "type": "content_block_delta",
            "index": 1,
            "delta": {"type": "input_json_delta", "partial_json": '{"city": "Pa'},
        },
        {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": 'ris"}'}},
        {"type": "content_block_stop", "index": 1},
        {
            "type": "content_block_start",
            "index": 2,
            "content_block": {"type": "tool_use", "id": "toolu_2", "name": "get_weather", "input": {}},
        },
        {
            "type": "content_block_delta",
            "index": 2,
            "delta": {"type": "input_json_delta", "partial_json": '{"city": "Rome"}'},
        },
        {"type": "content_block_stop", "index": 2},
        {
            "type": "message_delta",
            "delta": {"stop_reason": "tool_use", "stop_sequence": None},
            "usage": {"output_tokens": 40},
        },
        {"type": "message_stop"},
    ]


def test_stream_events_become_chunks_with_indexed_argument_deltas_and_usage() -> None:
    translator = MessageStreamTranslator(model="m", include_usage=True, json_tool=None)
    chunks = [chunk for event in stream_events() for chunk in translator.chunks(event)]
    assert {chunk.id for chunk in chunks} == {"msg_7"}
    deltas = [chunk.choices[0].delta for chunk in chunks if chunk.choices]
    assert deltas[0] == {"role": "assistant", "content": ""}
    assert deltas[1] == {"content": "Checking"}
    assert deltas[2] == {
        "tool_calls": [
            {"index": 0, "id": "toolu_1", "type": "function", "function": {"name": "get_weather", "arguments": ""}}
        ]
    }
    arguments: dict[int, str] = {}
    for delta in deltas:
        for call in delta.get("tool_calls", []):
            arguments[call["index"]] = arguments.get(call["index"], "") + call["function"]["arguments"]
    assert {i: json.loads(a) for i, a in arguments.items()} == {0: {"city": "Paris"}, 1: {"city": "Rome"}}
    assert chunks[-2].choices[0].finish_reason == "tool_calls"
    usage = chunks[-1].usage
    assert chunks[-1].choices == [] and usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (34, 40, 74)
    assert usage.prompt_tokens_details == {"cached_tokens": 4, "cache_write_tokens": 0}


def test_stream_without_usage_request_ends_at_the_finish_chunk() -> None:
    translator = MessageStreamTranslator(model="m", include_usage=False, json_tool=None)
    chunks = [chunk for event in stream_events() for chunk in translator.chunks(event)]
    assert chunks[-1].choices[0].finish_reason == "tool_calls"
    assert all(chunk.usage is None for chunk in chunks)


def test_streamed_json_tool_input_is_streamed_as_content() -> None:
    translator = MessageStreamTranslator(model="m", include_usage=False, json_tool="person")
    events = [
        {"type": "message_start", "message": {"id": "msg_8", "usage": {"input_tokens": 3}}},
        {
            "type": "content_block_start",
            "index": 0,
            "content_block": {"type": "tool_use", "id": "t", "name": "person", "input": {}},
        },
        {"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": '{"name": '}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": '"Ada"}'}},
        {"type": "message_delta", "delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 6}},
    ]
    chunks = [chunk for event in events for chunk in translator.chunks(event)]
    text = "".join(c.choices[0].delta.get("content") or "" for c in chunks)
    assert json.loads(text) == {"name": "Ada"}
    assert chunks[-1].choices[0].finish_reason == "stop"
