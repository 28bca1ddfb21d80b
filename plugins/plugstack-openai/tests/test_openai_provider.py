"""The OpenAI provider over real HTTP: error mapping, streaming, pooling, pass-through.

The upstream is the stand-in of ``conftest.py`` (a real uvicorn server on 127.0.0.1), since
no real server answers 429 or 503 on demand; the conformance suite covers the happy paths
from recordings of a real llama-cpp-python server.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from plugstack_openai.adapter import OpenAIProvider
from plugstack_openai.config import OpenAICompatibleConfig
from pydantic import SecretStr

from plugstack import Stack
from plugstack.apis.inference import ChatCompletion, ChatCompletionRequest, EmbeddingsRequest
from plugstack.apis.models import RegisterModelRequest
from plugstack.errors import (
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    PlugstackError,
    ProviderError,
    RateLimitError,
)

CONFIGURED_KEY = "sk-" + "configuredKeyNeverToBeSeen42"


def provider_for(upstream: Any, **config: Any) -> OpenAIProvider:
    return OpenAIProvider(OpenAICompatibleConfig(base_url=upstream.base_url, **config))


def chat_request(model: str, **params: Any) -> ChatCompletionRequest:
    return ChatCompletionRequest.model_validate(
        {"model": model, "messages": [{"role": "user", "content": "hi"}], **params}
    )


@pytest.mark.parametrize(
    ("status", "error_type", "plugstack_status"),
    [
        (400, BadRequestError, 400),
        (401, AuthenticationError, 401),
        (403, PermissionDeniedError, 403),
        (404, NotFoundError, 404),
        (429, RateLimitError, 429),
        (500, ProviderError, 502),
        (503, ProviderError, 503),
    ],
)
@pytest.mark.parametrize("stream", [False, True])
async def test_upstream_statuses_map_to_plugstack_errors(
    upstream: Any, status: int, error_type: type[PlugstackError], plugstack_status: int, stream: bool
) -> None:
    provider = provider_for(upstream, api_key=SecretStr(CONFIGURED_KEY))
    try:
        with pytest.raises(error_type) as info:
            await provider.chat_completion(chat_request(f"status-{status}", stream=stream))
    finally:
        await provider.shutdown()
    assert info.value.status_code == plugstack_status
    if status == 401:  # the upstream quoted a key: it must not reach the caller
        assert upstream.leaked_key not in info.value.message and "<redacted>" in info.value.message
    else:
        assert f"upstream says {status}" in info.value.message
    if status == 429:
        assert isinstance(info.value, RateLimitError) and info.value.retry_after == 7


async def test_a_non_json_error_body_is_quoted(upstream: Any) -> None:
    provider = provider_for(upstream)
    try:
        with pytest.raises(ProviderError, match="upstream 502: Bad Gateway") as info:
            await provider.chat_completion(chat_request("plain-text-502"))
    finally:
        await provider.shutdown()
    assert info.value.status_code == 502


async def test_an_error_event_mid_stream_raises_after_the_chunks_before_it(upstream: Any) -> None:
    provider = provider_for(upstream)
    received = []
    try:
        chunks = await provider.chat_completion(chat_request("stream-error", stream=True))
        assert isinstance(chunks, AsyncIterator)
        with pytest.raises(ProviderError, match="the model crashed"):
            async for chunk in chunks:
                received.append(chunk.choices[0].delta.get("content"))
    finally:
        await provider.shutdown()
    assert received == ["first"]


@pytest.mark.parametrize("stream", [False, True])
async def test_a_malformed_answer_is_a_502(upstream: Any, stream: bool) -> None:
    provider = provider_for(upstream)
    try:
        with pytest.raises(ProviderError, match="the upstream sent an") as info:
            reply = await provider.chat_completion(chat_request("garbage", stream=stream))
            assert isinstance(reply, AsyncIterator)
            _ = [chunk async for chunk in reply]
    finally:
        await provider.shutdown()
    assert info.value.status_code == 502


async def test_refused_connection_is_503_and_timeout_is_504(upstream: Any) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]  # nothing listens once the probe is closed
    refused = OpenAIProvider(OpenAICompatibleConfig(base_url=f"http://127.0.0.1:{closed_port}/v1"))
    slow = provider_for(upstream, timeout=0.2)
    try:
        with pytest.raises(ProviderError) as refused_info:
            await refused.chat_completion(chat_request("m"))
        with pytest.raises(ProviderError) as slow_info:
            await slow.chat_completion(chat_request("slow"))
    finally:
        await refused.shutdown()
        await slow.shutdown()
    assert refused_info.value.status_code == 503
    assert slow_info.value.status_code == 504


async def test_streams_are_handed_on_as_they_arrive(upstream: Any) -> None:
    """The upstream holds back everything after the first chunk until the test has seen it."""
    provider = provider_for(upstream)
    try:
        chunks = await provider.chat_completion(chat_request("held-stream", stream=True))
        assert isinstance(chunks, AsyncIterator)
        first = await asyncio.wait_for(chunks.__anext__(), timeout=5)
        assert first.choices[0].delta == {"role": "assistant", "content": "first"}
        upstream.release_stream.set()
        rest = [chunk async for chunk in chunks]
    finally:
        await provider.shutdown()
    assert [c.choices[0].delta.get("content") for c in rest] == [" second", None]
    assert rest[-1].choices[0].finish_reason == "stop"


async def test_requests_share_one_keep_alive_connection(upstream: Any) -> None:
    provider = provider_for(upstream)
    try:
        for _ in range(5):
            await provider.chat_completion(chat_request("m"))
        stream = await provider.chat_completion(chat_request("m", stream=True))
        assert isinstance(stream, AsyncIterator)
        _ = [chunk async for chunk in stream]
        await provider.chat_completion(chat_request("m"))
    finally:
        await provider.shutdown()
    assert len({r["port"] for r in upstream.requests}) == 1, "every request reused the first connection"
    assert len(upstream.requests) == 7


async def test_unknown_fields_pass_through_the_stack_and_back(upstream: Any) -> None:
    config = {
        "distribution_name": "passthrough",
        "providers": {
            "inference": [
                {
                    "provider_id": "up",
                    "provider_type": "remote::openai-compatible",
                    "config": {"base_url": upstream.base_url, "api_key": CONFIGURED_KEY},
                }
            ]
        },
    }
    async with await Stack.from_config(config) as stack:
        reply = await stack.inference.chat_completion(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "hi"}],
            reasoning_effort="low",
            web_search_options={"search_context_size": "low"},
            metadata={"k": "v"},  # plugstack's own (stored completions): not sent on
        )
    assert isinstance(reply, ChatCompletion)
    sent = json.loads(reply.choices[0].message.content or "")
    assert sent == {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": "hi"}],
        "reasoning_effort": "low",
        "web_search_options": {"search_context_size": "low"},
    }
    assert reply.model_extra == {"service_tier": "default"}  # unknown response fields come back too
    assert upstream.requests[-1]["headers"]["authorization"] == f"Bearer {CONFIGURED_KEY}"


async def test_an_alias_is_sent_upstream_as_the_provider_model_and_answered_as_itself(upstream: Any) -> None:
    """The router swaps in the provider's model id by ``model_copy(update=...)``: it must be sent."""
    config = {
        "distribution_name": "alias",
        "providers": {
            "inference": [
                {
                    "provider_id": "up",
                    "provider_type": "remote::openai-compatible",
                    "config": {"base_url": upstream.base_url},
                }
            ]
        },
    }
    messages = [{"role": "user", "content": "hi"}]
    async with await Stack.from_config(config) as stack:
        await stack.models.register_model(
            RegisterModelRequest(model_id="my-alias", provider_id="up", provider_model_id="gpt-4o-mini")
        )
        reply = await stack.inference.chat_completion(model="my-alias", messages=messages)
        chunks = await stack.inference.chat_completion(model="my-alias", messages=messages, stream=True)
        assert isinstance(chunks, AsyncIterator)
        streamed = [chunk async for chunk in chunks]
    assert isinstance(reply, ChatCompletion)
    assert json.loads(reply.choices[0].message.content or "")["model"] == "gpt-4o-mini"
    assert upstream.requests[-1]["body"]["model"] == "gpt-4o-mini"
    assert reply.model == "my-alias"
    assert [chunk.model for chunk in streamed] == ["my-alias"] * 3


async def test_models_are_listed_from_the_upstream_or_the_config(upstream: Any) -> None:
    listed = provider_for(upstream, embedding_models=["my-vectors"])
    configured = provider_for(upstream, models=["a"], embedding_models=["e"])
    try:
        from_upstream = {m.id: m.model_type for m in await listed.list_models()}
        from_config = {m.id: m.model_type for m in await configured.list_models()}
    finally:
        await listed.shutdown()
        await configured.shutdown()
    assert from_upstream == {"gpt-4o-mini": "llm", "text-embedding-3-small": "embedding", "my-vectors": "embedding"}
    assert from_config == {"a": "llm", "e": "embedding"}
    assert [r["path"] for r in upstream.requests] == ["/v1/models"]  # configured models ask nothing


async def test_embeddings_are_parsed(upstream: Any) -> None:
    provider = provider_for(upstream)
    try:
        reply = await provider.embeddings(EmbeddingsRequest(model="text-embedding-3-small", input=["a", "b"]))
    finally:
        await provider.shutdown()
    assert [(e.index, e.embedding) for e in reply.data] == [(0, [0.0, 0.5]), (1, [1.0, 0.5])]
    assert reply.usage.total_tokens == 2


async def test_the_key_is_never_logged(upstream: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    provider = provider_for(upstream, api_key=SecretStr(CONFIGURED_KEY))
    try:
        for status in (400, 401, 429, 503):
            with pytest.raises(PlugstackError):
                await provider.chat_completion(chat_request(f"status-{status}"))
    finally:
        await provider.shutdown()
    assert caplog.records, "errors are logged"
    assert CONFIGURED_KEY not in caplog.text and upstream.leaked_key not in caplog.text
