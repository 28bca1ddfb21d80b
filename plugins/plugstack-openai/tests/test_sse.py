"""Splitting SSE events out of the blocks a socket delivers.

A real ``aiohttp.StreamReader`` is fed the blocks by hand: over TCP where a block ends is up
to the kernel, and these tests need events cut at chosen bytes.
"""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import StreamReader
from aiohttp.base_protocol import BaseProtocol
from plugstack_openai.sse import read_sse_data


async def events_of(blocks: list[bytes]) -> list[bytes]:
    loop = asyncio.get_running_loop()
    content = StreamReader(BaseProtocol(loop), 2**16, loop=loop)
    for block in blocks:
        content.feed_data(block)
    content.feed_eof()
    return [data async for events in read_sse_data(content) for data in events]


def every_split(stream: bytes) -> list[list[bytes]]:
    """The stream cut in two at every byte, and cut into single bytes."""
    return [[stream[:i], stream[i:]] for i in range(1, len(stream))] + [[bytes([b]) for b in stream]]


STREAM = (
    b": ping - 2026-11-27 07:00:00\r\n\r\n"
    b'data: {"a": 1}\r\n\r\n'
    b"event: message\nid: 7\ndata: first line\ndata:second line\n\n\n"
    b"data: caf\xc3\xa9\n\n"
    b"data: [DONE]\n\n"
)
EXPECTED = [b'{"a": 1}', b"first line\nsecond line", b"caf\xc3\xa9", b"[DONE]"]


@pytest.mark.parametrize("blocks", every_split(STREAM))
async def test_events_cut_anywhere_across_blocks_come_out_whole(blocks: list[bytes]) -> None:
    assert await events_of(blocks) == EXPECTED


async def test_the_events_of_one_block_come_out_together() -> None:
    loop = asyncio.get_running_loop()
    content = StreamReader(BaseProtocol(loop), 2**16, loop=loop)
    batches = read_sse_data(content)
    content.feed_data(b"".join(b"data: %d\n\n" % i for i in range(50)) + b"data: cut")
    assert await anext(batches) == [b"%d" % i for i in range(50)]
    content.feed_data(b" here\n\n: ping\n\n")
    content.feed_eof()
    assert [events async for events in batches] == [[b"cut here"]]


@pytest.mark.parametrize("ending", [b"", b"\n", b"\r\n"])
async def test_a_last_event_without_its_blank_line_is_still_delivered(ending: bytes) -> None:
    assert await events_of([b"data: 1\n\ndata: 2" + ending]) == [b"1", b"2"]


async def test_comments_and_empty_events_give_nothing() -> None:
    assert await events_of([b": keep-alive\n\n\n\n: another\r\n\r\n"]) == []
