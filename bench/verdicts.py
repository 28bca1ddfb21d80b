"""The targets of issue 7, each judged PASS, FAIL or SKIP from one run's figures.

They are printed, never asserted: a benchmark on a shared 2-core machine informs, it
does not gate. Latencies are compared as "added" (plugstack minus the mock direct) and
throughput and tail latency as ratios to the pass-through measured in the same run.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from bench.http_bench import TargetResult
from bench.loadgen import percentile
from bench.targets import MOCK, PASSTHROUGH, PLUGSTACK

__all__ = ["Verdict", "judge"]

PEER_FACTORS = {"LiteLLM proxy": 10.0, "Llama Stack": 5.0}


@dataclass
class Verdict:
    name: str
    value: str
    limit: str
    status: str  # PASS, FAIL or SKIP

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


_COMPARE = {"<": float.__lt__, "<=": float.__le__, ">=": float.__ge__}


def _check(name: str, value: float | None, relation: str, limit: float, unit: str, fmt: str = "{:.3g}") -> Verdict:
    limit_text = f"{relation} {fmt.format(limit)} {unit}".strip()
    if value is None:
        return Verdict(name, "n/a", limit_text, "SKIP")
    ok = _COMPARE[relation](float(value), float(limit))
    return Verdict(name, f"{fmt.format(value)} {unit}".strip(), limit_text, "PASS" if ok else "FAIL")


def _p(result: TargetResult | None, mode: str, concurrency: int, what: str, p: float) -> float | None:
    level = result.level(mode, concurrency) if result else None
    if level is None:
        return None
    return percentile(level.ttfc_ms if what == "ttfc" else level.latencies_ms, p)


def _rps(result: TargetResult | None, mode: str, concurrency: int) -> float | None:
    level = result.level(mode, concurrency) if result else None
    return level.rps if level else None


def _minus(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None:
        return None
    return a / b if b else math.inf  # a peer that answered nothing at all


def judge(results: dict[str, TargetResult], library: dict[str, Any], imports: dict[str, Any]) -> list[Verdict]:
    ps, mock, floor = results.get(PLUGSTACK), results.get(MOCK), results.get(PASSTHROUGH)
    verdicts = [
        _check(
            "added p50 latency, c=1, non-stream",
            _minus(_p(ps, "non-stream", 1, "latency", 50), _p(mock, "non-stream", 1, "latency", 50)),
            "<",
            1.0,
            "ms",
        ),
        _check(
            "added time to first chunk p50, c=1",
            _minus(_p(ps, "stream", 1, "ttfc", 50), _p(mock, "stream", 1, "ttfc", 50)),
            "<",
            1.0,
            "ms",
        ),
    ]
    for mode in ("non-stream", "stream"):
        verdicts.append(
            _check(
                f"req/s at c=32 vs pass-through, {mode}",
                _ratio(_rps(ps, mode, 32), _rps(floor, mode, 32)),
                ">=",
                0.5,
                "x",
                fmt="{:.2f}",
            )
        )
    for mode in ("non-stream", "stream"):
        ratio = _ratio(_p(ps, mode, 32, "latency", 99), _p(floor, mode, 32, "latency", 99))
        verdicts.append(_check(f"p99 at c=32 vs pass-through, {mode}", ratio, "<=", 2.0, "x", fmt="{:.2f}"))
    for peer, factor in PEER_FACTORS.items():
        peer_result = results.get(peer)
        if peer_result is not None:
            verdicts.append(
                _check(
                    f"req/s at c=32 vs {peer}, non-stream",
                    _ratio(_rps(ps, "non-stream", 32), _rps(peer_result, "non-stream", 32)),
                    ">=",
                    factor,
                    "x",
                    fmt="{:.1f}",
                )
            )
    echo = library.get("inline::echo", {})
    verdicts.append(_check("library mode overhead per call", echo.get("overhead_us"), "<", 100, "us"))
    verdicts.append(
        _check("cold start to first 200 (median of 3)", ps.cold_start_median_s if ps else None, "<", 1.0, "s")
    )
    verdicts.append(_check("import plugstack", imports.get("import_plugstack_ms"), "<", 150, "ms"))
    for mode in ("non-stream", "stream"):
        level = ps.level(mode, 64) if ps else None
        failed = None if level is None else level.errors + level.unfinished
        verdicts.append(_check(f"failed or unfinished requests at c=64, {mode}", failed, "<=", 0, "", fmt="{:g}"))
    growth = ps.soak.get("growth_middle_to_end_pct") if ps and ps.soak else None
    verdicts.append(_check("RSS growth, soak middle to end", growth, "<", 5.0, "%"))
    verdicts.append(_check("peak RSS", ps.peak_rss_mb if ps else None, "<", 150, "MB"))
    return verdicts
