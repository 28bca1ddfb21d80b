"""Helpers for the async iterators that carry streamed answers through plugstack."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

__all__ = ["aclose"]


async def aclose(iterator: AsyncIterator[Any]) -> None:
    """Close ``iterator`` if it can be closed (an async generator), so the stream it reads stops too.

    A plain ``AsyncIterator`` has no ``aclose``; a generator that is closed before it ends
    runs its ``finally`` blocks, which is where providers close their upstream responses.
    """
    close = getattr(iterator, "aclose", None)
    if close is not None:
        await close()
