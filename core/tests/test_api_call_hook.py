"""The ``plugstack_api_call`` wrapper hook: plugins observe and change every API call."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Generator
from typing import Any

import pytest

import plugstack
from plugstack import Stack
from plugstack.api_call import ApiCall
from plugstack.errors import BadRequestError
from plugstack.plugins import PluginHost

USER = [{"role": "user", "content": "hello world"}]


class Shouting:
    """Changes the request before the call and the response after it; records calls."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    @plugstack.hookimpl(wrapper=True)
    def plugstack_api_call(self, call: ApiCall) -> Generator[None, Awaitable[Any], Awaitable[Any]]:
        self.seen.append(f"{call.api}.{call.method}")
        request = call.params["request"]
        if call.method == "chat_completion":
            request.messages[-1].content = request.messages[-1].content.upper()
        inner = yield

        async def after() -> Any:
            result = await inner
            if call.method != "chat_completion":
                return result
            if request.stream:
                return _suffixed(result)
            result.choices[0].message.content += "!"
            return result

        return after()


async def _suffixed(chunks: AsyncIterator[Any]) -> AsyncIterator[Any]:
    async for chunk in chunks:
        if chunk.choices and chunk.choices[0].finish_reason:
            chunk.choices[0].delta["content"] = "!"
        yield chunk


class Guardrail:
    @plugstack.hookimpl(wrapper=True)
    def plugstack_api_call(self, call: ApiCall) -> Generator[None, Awaitable[Any], Awaitable[Any]]:
        request = call.params["request"]
        if call.method == "chat_completion" and "forbidden" in str(request.messages[-1].content):
            raise BadRequestError("blocked by guardrail", code="content_filter")
        return (yield)


async def test_wrapper_changes_request_and_response(host: PluginHost, echo_config: dict[str, Any]) -> None:
    shouting = Shouting()
    host.register(shouting, name="shouting")
    async with await Stack.from_config(echo_config, host=host) as stack:
        reply = await stack.inference.chat_completion(model="echo-1", messages=USER)
        assert reply.choices[0].message.content == "HELLO WORLD!"
        stream = await stack.inference.chat_completion(model="echo-1", messages=USER, stream=True)
        text = "".join([c.choices[0].delta.get("content") or "" async for c in stream])
        assert text == "HELLO WORLD!"
        await stack.inference.embeddings(model="echo-embed", input="x")
    assert shouting.seen == ["inference.chat_completion", "inference.chat_completion", "inference.embeddings"]


async def test_wrapper_can_reject_a_call(host: PluginHost, echo_config: dict[str, Any]) -> None:
    host.register(Guardrail(), name="guardrail")
    async with await Stack.from_config(echo_config, host=host) as stack:
        with pytest.raises(BadRequestError, match="blocked by guardrail"):
            await stack.inference.chat_completion(model="echo-1", messages=[{"role": "user", "content": "forbidden"}])
        ok = await stack.inference.chat_completion(model="echo-1", messages=USER)
    assert ok.choices[0].message.content == "hello world"


async def test_unregistered_wrapper_no_longer_applies(host: PluginHost, echo_config: dict[str, Any]) -> None:
    host.register(Shouting(), name="shouting")
    host.unregister("shouting")
    async with await Stack.from_config(echo_config, host=host) as stack:
        reply = await stack.inference.chat_completion(model="echo-1", messages=USER)
    assert reply.choices[0].message.content == "hello world"
