"""The verdicts compare the right figures: added latency, ratios to the pass-through, peers."""

from __future__ import annotations

import math
from pathlib import Path

from bench.http_bench import TargetResult
from bench.loadgen import LevelResult
from bench.profiling import hottest_frames
from bench.targets import MOCK, PASSTHROUGH, PLUGSTACK
from bench.verdicts import judge


def _target(
    name: str, latency_ms: float, rps: float, p99_ms: float | None = None, completed: int = 100
) -> TargetResult:
    result = TargetResult(name, cold_start_s=[0.5, 0.6, 0.7], peak_rss_mb=80.0)
    for mode in ("non-stream", "stream"):
        for concurrency in (1, 32, 64):
            samples = [latency_ms] * 98 + [p99_ms or latency_ms] * 2  # nearest rank: p99 is the 99th of 100
            level = LevelResult(
                name, mode, concurrency, planned=100, completed=completed, seconds=completed / rps if rps else 1.0
            )
            level.latencies_ms = samples[:completed]
            level.ttfc_ms = list(level.latencies_ms) if mode == "stream" else []
            result.levels.append(level)
    return result


def _verdicts(**targets: TargetResult) -> dict[str, str]:
    library = {"inline::echo": {"overhead_us": 5.0}}
    imports = {"import_plugstack_ms": 20.0}
    return {v.name: v.status for v in judge({t.name: t for t in targets.values()}, library, imports)}


def test_added_latency_is_measured_against_the_mock() -> None:
    verdicts = _verdicts(
        mock=_target(MOCK, 0.1, 10_000), floor=_target(PASSTHROUGH, 0.4, 3000), ours=_target(PLUGSTACK, 1.2, 2000)
    )
    assert verdicts["added p50 latency, c=1, non-stream"] == "FAIL"  # 1.2 - 0.1 = 1.1 ms
    verdicts = _verdicts(
        mock=_target(MOCK, 0.1, 10_000), floor=_target(PASSTHROUGH, 0.4, 3000), ours=_target(PLUGSTACK, 0.9, 2000)
    )
    assert verdicts["added p50 latency, c=1, non-stream"] == "PASS"


def test_throughput_and_tail_are_ratios_to_the_pass_through() -> None:
    mock, floor = _target(MOCK, 0.1, 10_000), _target(PASSTHROUGH, 0.4, 3000, p99_ms=10.0)
    verdicts = _verdicts(mock=mock, floor=floor, ours=_target(PLUGSTACK, 0.5, 1400, p99_ms=21.0))
    assert verdicts["req/s at c=32 vs pass-through, non-stream"] == "FAIL"  # 0.47x
    assert verdicts["p99 at c=32 vs pass-through, non-stream"] == "FAIL"  # 2.1x
    verdicts = _verdicts(mock=mock, floor=floor, ours=_target(PLUGSTACK, 0.5, 1600, p99_ms=20.0))
    assert verdicts["req/s at c=32 vs pass-through, non-stream"] == "PASS"
    assert verdicts["p99 at c=32 vs pass-through, non-stream"] == "PASS"  # exactly 2x is allowed


def test_unfinished_requests_fail_and_missing_targets_skip() -> None:
    verdicts = _verdicts(ours=_target(PLUGSTACK, 0.5, 1000, completed=90))
    assert verdicts["failed or unfinished requests at c=64, non-stream"] == "FAIL"
    assert verdicts["req/s at c=32 vs pass-through, non-stream"] == "SKIP"
    assert "req/s at c=32 vs LiteLLM proxy, non-stream" not in verdicts  # peers only with --peers


def test_a_peer_that_answered_nothing_is_an_infinite_ratio() -> None:
    peer = _target("Llama Stack", 0.5, 0.0, completed=0)
    results = {t.name: t for t in (_target(PLUGSTACK, 0.5, 1000), peer)}
    verdict = next(v for v in judge(results, {}, {}) if v.name == "req/s at c=32 vs Llama Stack, non-stream")
    assert verdict.status == "PASS" and verdict.value.startswith(str(math.inf))


def test_hottest_frames_sum_own_samples_and_skip_the_idle_sqlite_thread(tmp_path: Path) -> None:
    collapsed = tmp_path / "profile.txt"
    collapsed.write_text(
        "main (a.py:1);work (a.py:2) 30\n"
        "main (a.py:1);work (a.py:2);parse (b.py:3) 10\n"
        "main (a.py:1);parse (b.py:3) 10\n"
        "run (threading.py:1);_connection_worker_thread (aiosqlite/core.py:59) 500\n"
    )
    samples, frames = hottest_frames(collapsed)
    assert samples == 50
    assert frames == [(60.0, "work (a.py:2)"), (40.0, "parse (b.py:3)")]
