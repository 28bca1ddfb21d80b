"""HTTP targets, measured side by side: cold starts, load levels, CPU per request, peak RSS.

Every server is started first; then each load level (mode x concurrency) is run against
every target back to back, and the whole sweep is repeated. On a shared machine whose
background load drifts, this spreads the drift over all targets alike, so the ratios
between them (the headline) stay fair. Repeats are pooled per level.
"""

from __future__ import annotations

import shlex
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.loadgen import LevelResult, chat_body, run_level
from bench.procs import StartFailed
from bench.profiling import hottest_frames, py_spy
from bench.targets import Target

__all__ = ["FULL", "QUICK", "Plan", "TargetResult", "run_sweeps", "start_target"]


@dataclass(frozen=True)
class Plan:
    """How much load a run sends; ``--quick`` scales everything down."""

    requests: dict[int, int]  # concurrency -> requests at that level, per repeat
    repeats: int
    peer_repeats: int  # the peers are 10-100x slower: noise does not change their ratios
    level_time_cap: float
    cold_starts: int
    soak_non_stream: int
    soak_stream: int
    soak_time_cap: float

    @property
    def concurrencies(self) -> list[int]:
        return sorted(self.requests)


FULL = Plan({1: 1500, 8: 3000, 32: 5000, 64: 5000}, 3, 1, 30.0, 3, 100_000, 10_000, 1200.0)
QUICK = Plan({1: 500, 8: 1000, 32: 2000, 64: 2000}, 1, 1, 15.0, 3, 10_000, 1_000, 90.0)


@dataclass
class TargetResult:
    name: str
    command: str = ""
    config: str | None = None
    cold_start_s: list[float] = field(default_factory=list)
    levels: list[LevelResult] = field(default_factory=list)
    peak_rss_mb: float | None = None
    soak: dict[str, Any] | None = None
    skipped: str | None = None
    profiles: dict[str, Any] = field(default_factory=dict)  # level -> file and hottest frames

    def level(self, mode: str, concurrency: int) -> LevelResult | None:
        return next((lv for lv in self.levels if lv.mode == mode and lv.concurrency == concurrency), None)

    def add(self, level: LevelResult) -> None:
        pooled = self.level(level.mode, level.concurrency)
        if pooled is None:
            self.levels.append(level)
        else:
            pooled.absorb(level)

    @property
    def cold_start_median_s(self) -> float | None:
        return round(statistics.median(self.cold_start_s), 3) if self.cold_start_s else None

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "command": self.command,
            "config": self.config,
            "skipped": self.skipped,
            "cold_start_s": [round(v, 3) for v in self.cold_start_s],
            "cold_start_median_s": self.cold_start_median_s,
            "peak_rss_mb": self.peak_rss_mb,
            "levels": [lv.summary() for lv in self.levels],
            "soak": self.soak,
            "profiles": self.profiles,
        }


def start_target(target: Target, plan: Plan) -> TargetResult:
    """Start ``plan.cold_starts`` times, timing each; the last start keeps running."""
    config = target.config_path.read_text() if target.config_path else None
    result = TargetResult(target.name, command=shlex.join(target.server.full_command), config=config)
    try:
        for i in range(plan.cold_starts):
            result.cold_start_s.append(target.server.start())
            if i < plan.cold_starts - 1:
                target.server.stop()
    except StartFailed as exc:
        result.skipped = f"did not start: {exc}"
    print(f"  {target.name}: cold starts {', '.join(f'{s:.3f}' for s in result.cold_start_s)} s", flush=True)
    return result


async def _level(target: Target, plan: Plan, stream: bool, concurrency: int) -> LevelResult:
    cpu_before = target.server.cpu_seconds()
    level = await run_level(
        target.name,
        target.chat_url,
        chat_body(target.model, stream),
        stream=stream,
        concurrency=concurrency,
        requests=plan.requests[concurrency],
        time_cap=plan.level_time_cap,
    )
    level.server_cpu_seconds = target.server.cpu_seconds() - cpu_before
    return level


async def run_sweeps(
    live: list[tuple[Target, TargetResult]], plan: Plan, peers: set[str], profile: tuple[str, Path, str] | None = None
) -> None:
    """Every level against every live target, back to back, ``plan.repeats`` times.

    Targets named in ``peers`` take part in the first ``plan.peer_repeats`` sweeps only.
    ``profile`` (a target name, a folder and a file prefix) records that target with py-spy
    during its concurrency-32 levels of the first sweep.
    """
    for repeat in range(plan.repeats):
        for stream in (False, True):
            for concurrency in plan.concurrencies:
                for target, result in live:
                    if target.name in peers and repeat >= plan.peer_repeats:
                        continue
                    if profile and profile[0] == target.name and concurrency == 32 and repeat == 0:
                        level = await _profiled_level(target, result, plan, stream, profile[1] / profile[2])
                    else:
                        level = await _level(target, plan, stream, concurrency)
                    result.add(level)
                    print(f"  [{repeat + 1}/{plan.repeats}] {_progress(level)}", flush=True)


async def _profiled_level(target: Target, result: TargetResult, plan: Plan, stream: bool, prefix: Path) -> LevelResult:
    mode = "stream" if stream else "non-stream"
    assert target.server.process is not None
    output = prefix.with_name(f"{prefix.name}-{target.name.replace(' ', '-')}-{mode}-c32.txt")
    with py_spy(target.server.process.pid, output) as reason:
        level = await _level(target, plan, stream, 32)
    if reason is not None or not output.is_file():
        result.profiles[f"{mode} c=32"] = {"skipped": reason or "py-spy wrote no profile"}
    else:
        samples, frames = hottest_frames(output)
        result.profiles[f"{mode} c=32"] = {"file": str(output), "samples": samples, "hottest_frames": frames}
    return level


def _progress(level: LevelResult) -> str:
    s = level.summary()
    ttfc = f" ttfc p50 {s['ttfc_p50_ms']} ms" if s["ttfc_p50_ms"] is not None else ""
    return (
        f"{level.target:<22} {level.mode:<10} c={level.concurrency:<3} {s['rps']:>8} req/s  "
        f"p50 {s['latency_p50_ms']} ms  p99 {s['latency_p99_ms']} ms{ttfc}  errors {level.errors} unfinished {level.unfinished}"
    )
