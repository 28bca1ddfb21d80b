"""A bounded closed-loop load generator: ``concurrency`` workers share a fixed request count.

Each worker sends its next request as soon as the previous one is answered, over one
keep-alive aiohttp connection. A level ends when the count is done or when its wall-clock
cap is reached (requests still in flight are cut, and with those never sent count as
unfinished), so a run always stops by itself. Streams are read line by line: time to first chunk is the arrival of the first
``data:`` line, and a stream whose last event is not ``data: [DONE]`` counts as an error.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import aiohttp

__all__ = ["LevelResult", "chat_body", "percentile", "run_level"]

DONE = b"data: [DONE]"


def chat_body(model: str, stream: bool) -> bytes:
    """A small chat completion request, as a client would send it."""
    payload: dict[str, Any] = {
        "model": model,
        "messages": [{"role": "user", "content": "Say fifty words, any words, for a benchmark."}],
        "max_tokens": 64,
    }
    if stream:
        payload["stream"] = True
    return json.dumps(payload).encode()


def percentile(values: list[float], p: float) -> float | None:
    """The nearest-rank percentile (``p`` in 0..100) of ``values``; ``None`` when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


@dataclass
class LevelResult:
    """One concurrency level of one target and mode; latencies in milliseconds."""

    target: str
    mode: str
    concurrency: int
    planned: int
    completed: int = 0
    errors: int = 0
    cut_at_cap: int = 0  # in flight when the wall-clock cap ended the level
    seconds: float = 0.0
    error_kinds: dict[str, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list, repr=False)
    ttfc_ms: list[float] = field(default_factory=list, repr=False)
    server_cpu_seconds: float | None = None
    repeats: int = 1

    @property
    def unfinished(self) -> int:
        """Requests planned but neither completed nor failed: cut or never sent at the cap."""
        return self.planned - self.completed - self.errors

    @property
    def rps(self) -> float:
        return self.completed / self.seconds if self.seconds else 0.0

    def absorb(self, other: LevelResult) -> None:
        """Pool another repeat of the same level into this one."""
        self.planned += other.planned
        self.completed += other.completed
        self.errors += other.errors
        self.cut_at_cap += other.cut_at_cap
        self.seconds += other.seconds
        for kind, count in other.error_kinds.items():
            self.error_kinds[kind] = self.error_kinds.get(kind, 0) + count
        self.latencies_ms += other.latencies_ms
        self.ttfc_ms += other.ttfc_ms
        if other.server_cpu_seconds is not None:
            self.server_cpu_seconds = (self.server_cpu_seconds or 0.0) + other.server_cpu_seconds
        self.repeats += 1

    def summary(self) -> dict[str, Any]:
        """Every figure of the level except the raw samples."""
        data = {k: v for k, v in asdict(self).items() if k not in ("latencies_ms", "ttfc_ms")}
        data["rps"] = round(self.rps, 1)
        data["unfinished"] = self.unfinished
        for name, samples in (("latency", self.latencies_ms), ("ttfc", self.ttfc_ms)):
            for p in (50, 90, 99):
                value = percentile(samples, p)
                data[f"{name}_p{p}_ms"] = None if value is None else round(value, 3)
        if self.server_cpu_seconds is not None and self.completed and not self.unfinished:
            # with requests cut at the cap, the CPU they used would be charged to the others
            data["server_cpu_us_per_request"] = round(self.server_cpu_seconds / self.completed * 1e6, 1)
        return data


class _Worker:
    """Sends one request at a time for the level; every request's timeout ends at the cap."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        body: bytes,
        stream: bool,
        result: LevelResult,
        request_timeout: float,
    ) -> None:
        self.session = session
        self.url = url
        self.body = body
        self.stream = stream
        self.result = result
        self.request_timeout = request_timeout

    async def one(self, record: bool, deadline: float) -> None:
        started = time.perf_counter()
        first_chunk: float | None = None
        timeout = aiohttp.ClientTimeout(total=min(self.request_timeout, deadline - started))
        try:
            async with self.session.post(
                self.url, data=self.body, headers={"content-type": "application/json"}, timeout=timeout
            ) as response:
                if response.status != 200:
                    await response.read()
                    return self._fail(record, f"HTTP {response.status}")
                if self.stream:
                    last = b""
                    async for line in response.content:
                        if line.startswith(b"data:"):
                            if first_chunk is None:
                                first_chunk = time.perf_counter()
                            last = line.rstrip()
                    if last != DONE:
                        return self._fail(record, "stream did not end with data: [DONE]")
                elif b'"choices"' not in await response.read():
                    return self._fail(record, "no choices in the body")
        except (aiohttp.ClientError, TimeoutError) as exc:
            if time.perf_counter() >= deadline:
                if record:
                    self.result.cut_at_cap += 1
                return None
            return self._fail(record, type(exc).__name__)
        if record:
            ended = time.perf_counter()
            self.result.completed += 1
            self.result.latencies_ms.append((ended - started) * 1000)
            if first_chunk is not None:
                self.result.ttfc_ms.append((first_chunk - started) * 1000)

    def _fail(self, record: bool, kind: str) -> None:
        if record:
            self.result.errors += 1
            self.result.error_kinds[kind] = self.result.error_kinds.get(kind, 0) + 1


async def run_level(
    target: str,
    url: str,
    body: bytes,
    *,
    stream: bool,
    concurrency: int,
    requests: int,
    time_cap: float,
    request_timeout: float = 30.0,
    warmup: int | None = None,
) -> LevelResult:
    """Send ``requests`` requests with ``concurrency`` workers; never run past ``time_cap`` seconds."""
    result = LevelResult(target, "stream" if stream else "non-stream", concurrency, requests)
    connector = aiohttp.TCPConnector(limit=concurrency, ttl_dns_cache=None)
    async with aiohttp.ClientSession(connector=connector) as session:
        worker = _Worker(session, url, body, stream, result, request_timeout)
        warmup_count = concurrency * 2 if warmup is None else warmup
        await _run_count(worker, concurrency, warmup_count, record=False, deadline=time.perf_counter() + time_cap)
        started = time.perf_counter()
        await _run_count(worker, concurrency, requests, record=True, deadline=started + time_cap)
        result.seconds = time.perf_counter() - started
    return result


async def _run_count(worker: _Worker, concurrency: int, count: int, *, record: bool, deadline: float) -> None:
    """Run ``count`` requests on ``concurrency`` workers, none of them past ``deadline``."""
    remaining = count

    async def loop() -> None:
        nonlocal remaining
        while remaining > 0 and time.perf_counter() < deadline:
            remaining -= 1
            await worker.one(record, deadline)

    tasks = [asyncio.create_task(loop()) for _ in range(concurrency)]
    # The per-request timeouts end every worker at the deadline; the grace is a backstop.
    _done, pending = await asyncio.wait(tasks, timeout=max(0.0, deadline - time.perf_counter()) + 5.0)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
