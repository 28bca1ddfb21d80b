"""The RSS soak: many requests through one server, resident memory read at start, middle, end.

The requests run in two equal halves (non-streaming, then streaming, in each); RSS is
read before the first half, between the halves and after the second. Growth from the
middle to the end is what a leak looks like once start-up allocations are done.
"""

from __future__ import annotations

from typing import Any

from bench.loadgen import chat_body, run_level
from bench.targets import Target

__all__ = ["soak"]


async def soak(target: Target, non_stream: int, stream: int, *, concurrency: int, time_cap: float) -> dict[str, Any]:
    """Send ``non_stream`` + ``stream`` requests; RSS in MB at start, middle and end."""
    rss = [target.server.rss_mb()]
    completed = errors = unfinished = 0
    for _half in range(2):
        for is_stream, count in ((False, non_stream // 2), (True, stream // 2)):
            level = await run_level(
                target.name,
                target.chat_url,
                chat_body(target.model, is_stream),
                stream=is_stream,
                concurrency=concurrency,
                requests=count,
                time_cap=time_cap / 4,
                warmup=0,
            )
            completed += level.completed
            errors += level.errors
            unfinished += level.unfinished
        rss.append(target.server.rss_mb())
    start, middle, end = (round(v, 1) for v in rss)
    return {
        "requests": {"non_stream": non_stream, "stream": stream},
        "completed": completed,
        "errors": errors,
        "unfinished": unfinished,
        "rss_mb": {"start": start, "middle": middle, "end": end},
        "growth_middle_to_end_pct": round((end - middle) / middle * 100, 2),
    }
