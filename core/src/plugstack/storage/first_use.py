"""``FirstUse``: a store opened the first time it is needed, once, however many tasks ask at once.

Standalone APIs (responses, conversations, prompts) and stored chat completions are
enabled in every stack that has inference; opening their tables at start would create a
database file for stacks that never use them. So each opens its tables on first use, and
concurrent first calls must not open them twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

__all__ = ["FirstUse"]

T = TypeVar("T")


class FirstUse(Generic[T]):
    def __init__(self, open_: Callable[[], Awaitable[T]]) -> None:
        self._open = open_
        self._value: T | None = None
        self._opening = asyncio.Lock()

    async def __call__(self) -> T:
        """The opened value: made by ``open_`` on the first call, the same one after."""
        if self._value is None:
            async with self._opening:
                if self._value is None:
                    self._value = await self._open()
        return self._value
