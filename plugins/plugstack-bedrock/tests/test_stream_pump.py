"""Reading a ConverseStream off the event loop, and stopping it when the consumer goes.

botocore's EventStream cannot be made to block on demand, so ``SlowEventStream`` stands in
for it: an iterable of events whose read blocks, like a socket read, until the next event
is released or the stream is closed (as ``EventStream.close()`` closes the connection).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import EventStreamError
from plugstack_bedrock.adapter import BedrockInferenceAdapter
from plugstack_bedrock.config import BedrockConfig

from plugstack.errors import RateLimitError


class SlowEventStream:
    def __init__(self, error: Exception | None = None) -> None:
        self.release = threading.Event()
        self.closed = threading.Event()
        self.finished = threading.Event()
        self.error = error

    def __iter__(self) -> Iterator[dict[str, Any]]:
        try:
            yield {"messageStart": {"role": "assistant"}}
            while not self.release.wait(0.01):  # a blocking read
                if self.closed.is_set():
                    raise ConnectionError("stream closed")
            if self.error is not None:
                raise self.error
            yield {"messageStop": {"stopReason": "end_turn"}}
        finally:
            self.finished.set()

    def close(self) -> None:
        self.closed.set()


@pytest.fixture
async def adapter() -> Any:
    provider = BedrockInferenceAdapter(BedrockConfig(region="us-east-1"))
    yield provider
    await provider.shutdown()


async def test_events_arrive_while_the_loop_stays_free(adapter: BedrockInferenceAdapter) -> None:
    stream = SlowEventStream()
    events = adapter.stream_events(stream)
    assert await anext(events) == {"messageStart": {"role": "assistant"}}
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.005)

    ticker = asyncio.create_task(tick())
    pending = asyncio.create_task(anext(events))
    await asyncio.sleep(0.1)  # the thread is blocked in a read; the loop must not be
    stream.release.set()
    assert await pending == {"messageStop": {"stopReason": "end_turn"}}
    ticker.cancel()
    assert ticks >= 5
    with pytest.raises(StopAsyncIteration):
        await anext(events)


async def test_cancelling_the_consumer_closes_the_stream_and_ends_the_thread(adapter: BedrockInferenceAdapter) -> None:
    stream = SlowEventStream()
    first = asyncio.Event()

    async def consume() -> None:
        async for _event in adapter.stream_events(stream):
            first.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert stream.closed.is_set(), "the HTTP stream is closed when the consumer is cancelled"
    assert await asyncio.to_thread(stream.finished.wait, 2), "the reading thread stops promptly"


async def test_an_error_event_is_raised_as_a_plugstack_error(adapter: BedrockInferenceAdapter) -> None:
    error = EventStreamError({"Error": {"Code": "throttlingException", "Message": "slow down"}}, "ConverseStream")
    stream = SlowEventStream(error)
    stream.release.set()
    with pytest.raises(RateLimitError, match="slow down"):
        async for _event in adapter.stream_events(stream):
            pass
