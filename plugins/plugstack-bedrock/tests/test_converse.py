"""OpenAI chat ↔ Converse translation (pure functions, no network)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from plugstack_bedrock.converse import (
    ConverseStreamTranslator,
    chat_completion_from_converse,
    converse_request,
    json_schema_tool,
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
    return ChatCompletionRequest.model_validate({"model": "amazon.nova-micro-v1:0", **fields})


def test_system_multi_turn_and_inference_config() -> None:
    params = converse_request(
        request(
            messages=[
                {"role": "system", "content": "Be brief."},
                {"role": "developer", "content": [{"type": "text", "text": "No emoji."}]},
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello!"},
                {"role": "user", "content": "Name a colour"},
            ],
            max_completion_tokens=20,
            temperature=0.2,
            top_p=0.9,
            stop="\n",
        )
    )
    assert params["modelId"] == "amazon.nova-micro-v1:0"
    assert params["system"] == [{"text": "Be brief."}, {"text": "No emoji."}]
    assert params["messages"] == [
        {"role": "user", "content": [{"text": "Hi"}]},
        {"role": "assistant", "content": [{"text": "Hello!"}]},
        {"role": "user", "content": [{"text": "Name a colour"}]},
    ]
    assert params["inferenceConfig"] == {"maxTokens": 20, "temperature": 0.2, "topP": 0.9, "stopSequences": ["\n"]}
    assert "toolConfig" not in params


def test_consecutive_user_messages_merge_into_one_turn() -> None:
    params = converse_request(request(messages=[{"role": "user", "content": "a"}, {"role": "user", "content": "b"}]))
    assert params["messages"] == [{"role": "user", "content": [{"text": "a"}, {"text": "b"}]}]


def test_base64_image_becomes_bytes_and_web_urls_are_refused() -> None:
    png = b"\x89PNG\r\n\x1a\nfake-pixels"
    url = "data:image/png;base64," + base64.b64encode(png).decode()
    parts = [{"type": "text", "text": "What is this?"}, {"type": "image_url", "image_url": {"url": url}}]
    params = converse_request(request(messages=[{"role": "user", "content": parts}]))
    assert params["messages"][0]["content"][1] == {"image": {"format": "png", "source": {"bytes": png}}}
    web = [{"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}]
    with pytest.raises(BadRequestError, match="inline"):
        converse_request(request(messages=[{"role": "user", "content": web}]))


def test_tools_tool_calls_and_parallel_tool_results() -> None:
    params = converse_request(
        request(
            messages=[
                {"role": "user", "content": "Weather in Paris and Rome?"},
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "t1",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                        },
                        {
                            "id": "t2",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": '{"city": "Rome"}'},
                        },
                    ],
                },
                {"role": "tool", "tool_call_id": "t1", "content": "18C"},
                {"role": "tool", "tool_call_id": "t2", "content": "24C"},
            ],
            tools=[WEATHER],
            tool_choice="required",
        )
    )
    assistant, results = params["messages"][1], params["messages"][2]
    assert assistant == {
        "role": "assistant",
        "content": [
            {"toolUse": {"toolUseId": "t1", "name": "get_weather", "input": {"city": "Paris"}}},
            {"toolUse": {"toolUseId": "t2", "name": "get_weather", "input": {"city": "Rome"}}},
        ],
    }
    assert results == {
        "role": "user",
        "content": [
            {"toolResult": {"toolUseId": "t1", "content": [{"text": "18C"}]}},
            {"toolResult": {"toolUseId": "t2", "content": [{"text": "24C"}]}},
        ],
    }
    assert params["toolConfig"] == {
        "tools": [
            {
                "toolSpec": {
                    "name": "get_weather",
                    "description": "Current weather",
                    "inputSchema": {"json": WEATHER["function"]["parameters"]},
                }
            }
        ],
        "toolChoice": {"any": {}},
    }


@pytest.mark.parametrize(
    ("tool_choice", "expected"),
    [
        ("auto", {"auto": {}}),
        ({"type": "function", "function": {"name": "get_weather"}}, {"tool": {"name": "get_weather"}}),
        (None, None),
    ],
)
def test_tool_choice(tool_choice: Any, expected: dict[str, Any] | None) -> None:
    params = converse_request(
        request(messages=[{"role": "user", "content": "x"}], tools=[WEATHER], tool_choice=tool_choice)
    )
    assert params["toolConfig"].get("toolChoice") == expected


def test_tool_choice_none_offers_no_tools() -> None:
    params = converse_request(request(messages=[{"role": "user", "content": "x"}], tools=[WEATHER], tool_choice="none"))
    assert "toolConfig" not in params


def test_json_schema_response_format_forces_a_tool() -> None:
    schema = {"type": "object", "properties": {"colour": {"type": "string"}}, "required": ["colour"]}
    req = request(
        messages=[{"role": "user", "content": "A colour?"}],
        response_format={"type": "json_schema", "json_schema": {"name": "answer", "schema": schema}},
    )
    params = converse_request(req)
    assert json_schema_tool(req) == "answer"
    assert params["toolConfig"]["toolChoice"] == {"tool": {"name": "answer"}}
    assert params["toolConfig"]["tools"][0]["toolSpec"]["inputSchema"] == {"json": schema}
    response = {
        "output": {
            "message": {
                "role": "assistant",
                "content": [{"toolUse": {"toolUseId": "x", "name": "answer", "input": {"colour": "red"}}}],
            }
        },
        "stopReason": "tool_use",
        "usage": {"inputTokens": 5, "outputTokens": 3, "totalTokens": 8},
    }
    completion = chat_completion_from_converse(response, completion_id="c1", model="m", json_tool="answer")
    assert json.loads(completion.choices[0].message.content or "") == {"colour": "red"}
    assert completion.choices[0].finish_reason == "stop"
    assert completion.choices[0].message.tool_calls is None


def test_n_greater_than_one_is_refused() -> None:
    with pytest.raises(NotImplementedByProviderError):
        converse_request(request(messages=[{"role": "user", "content": "x"}], n=2))


@pytest.mark.parametrize(
    ("stop_reason", "finish_reason"),
    [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("max_tokens", "length"),
        ("tool_use", "tool_calls"),
        ("guardrail_intervened", "content_filter"),
    ],
)
def test_response_text_tool_calls_finish_and_usage(stop_reason: str, finish_reason: str) -> None:
    response = {
        "output": {
            "message": {
                "role": "assistant",
                "content": [
                    {"text": "Checking."},
                    {"toolUse": {"toolUseId": "t1", "name": "get_weather", "input": {"city": "Paris"}}},
                ],
            }
        },
        "stopReason": stop_reason,
        "usage": {
            "inputTokens": 10,
            "outputTokens": 4,
            "totalTokens": 30,
            "cacheReadInputTokens": 12,
            "cacheWriteInputTokens": 4,
        },
    }
    completion = chat_completion_from_converse(response, completion_id="c1", model="m", json_tool=None)
    choice = completion.choices[0]
    assert choice.finish_reason == finish_reason
    assert choice.message.content == "Checking."
    assert choice.message.tool_calls == [
        {"id": "t1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}
    ]
    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens, completion.usage.total_tokens) == (
        26,
        4,
        30,
    )
    assert completion.usage.prompt_tokens_details == {"cached_tokens": 12, "cache_write_tokens": 4}


def test_stream_events_become_chunks_with_indexed_tool_call_deltas() -> None:
    """The event sequence ConverseStream sends for text followed by two parallel tool calls."""
    events = [
        {"messageStart": {"role": "assistant"}},
        {"contentBlockDelta": {"contentBlockIndex": 0, "delta": {"text": "Let me check"}}},
        {"contentBlockStop": {"contentBlockIndex": 0}},
        {
            "contentBlockStart": {
                "contentBlockIndex": 1,
                "start": {"toolUse": {"toolUseId": "t1", "name": "get_weather"}},
            }
        },
        {"contentBlockDelta": {"contentBlockIndex": 1, "delta": {"toolUse": {"input": '{"city": '}}}},
        {"contentBlockDelta": {"contentBlockIndex": 1, "delta": {"toolUse": {"input": '"Paris"}'}}}},
        {"contentBlockStop": {"contentBlockIndex": 1}},
        {
            "contentBlockStart": {
                "contentBlockIndex": 2,
                "start": {"toolUse": {"toolUseId": "t2", "name": "get_weather"}},
            }
        },
        {"contentBlockDelta": {"contentBlockIndex": 2, "delta": {"toolUse": {"input": '{"city": "Rome"}'}}}},
        {"contentBlockStop": {"contentBlockIndex": 2}},
        {"messageStop": {"stopReason": "tool_use"}},
        {"metadata": {"usage": {"inputTokens": 9, "outputTokens": 7, "totalTokens": 16}, "metrics": {"latencyMs": 5}}},
    ]
    translator = ConverseStreamTranslator(completion_id="c1", model="m", include_usage=True, json_tool=None)
    chunks = [chunk for event in events for chunk in translator.chunks(event)]
    deltas = [c.choices[0].delta for c in chunks if c.choices]
    assert deltas[0] == {"role": "assistant", "content": ""}
    assert deltas[1] == {"content": "Let me check"}
    assert deltas[2]["tool_calls"][0] == {
        "index": 0,
        "id": "t1",
        "type": "function",
        "function": {"name": "get_weather", "arguments": ""},
    }
    arguments: dict[int, str] = {}
    for delta in deltas:
        for call in delta.get("tool_calls", []):
            arguments[call["index"]] = arguments.get(call["index"], "") + call["function"]["arguments"]
    assert {i: json.loads(a) for i, a in arguments.items()} == {0: {"city": "Paris"}, 1: {"city": "Rome"}}
    assert chunks[-2].choices[0].finish_reason == "tool_calls"
    assert chunks[-1].choices == [] and chunks[-1].usage is not None and chunks[-1].usage.total_tokens == 16


def test_stream_usage_only_when_asked() -> None:
    translator = ConverseStreamTranslator(completion_id="c1", model="m", include_usage=False, json_tool=None)
    assert translator.chunks({"metadata": {"usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2}}}) == []
