"""Latency of calls compared at concurrency 1: the two sides alternate, so drift hits both alike."""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

__all__ = ["Call", "added_ms", "interleaved"]

Call = Callable[[], Awaitable[Any]]


async def interleaved(calls: dict[str, Call], rounds: int, batch: int) -> dict[str, dict[str, float]]:
    """Per call: the median of batch means and the p99 of single calls, in microseconds.

    Each round runs a batch of every call in turn, after one warm-up batch each (connections,
    caches, sessions).
    """
    means: dict[str, list[float]] = {name: [] for name in calls}
    singles: dict[str, list[float]] = {name: [] for name in calls}
    for call in calls.values():
        for _ in range(batch):
            await call()
    for _ in range(rounds):
        for name, call in calls.items():
            began = time.perf_counter()
            for _ in range(batch):
                one = time.perf_counter()
                await call()
                singles[name].append(time.perf_counter() - one)
            means[name].append((time.perf_counter() - began) / batch)
    return {
        name: {
            "median_us": round(statistics.median(means[name]) * 1e6, 1),
            "p99_us": round(statistics.quantiles(singles[name], n=100)[98] * 1e6, 1),
        }
        for name in calls
    }


def added_ms(result: dict[str, dict[str, float]], base: str, other: str) -> float:
    """How much longer ``other`` took than ``base``, median to median, in milliseconds."""
    return round((result[other]["median_us"] - result[base]["median_us"]) / 1000, 3)
