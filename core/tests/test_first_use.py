"""FirstUse: concurrent first calls open the store once, and later calls get the same one."""

from __future__ import annotations

import asyncio

from plugstack.storage.first_use import FirstUse


async def test_concurrent_first_calls_open_once() -> None:
    opened: list[object] = []

    async def open_store() -> object:
        await asyncio.sleep(0.01)  # opening takes a while: the other callers wait for it
        opened.append(object())
        return opened[-1]

    store = FirstUse(open_store)
    got = await asyncio.gather(*(store() for _ in range(16)))
    assert len(opened) == 1 and all(value is opened[0] for value in got)
    assert await store() is opened[0]
