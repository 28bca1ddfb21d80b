"""The run's output: Markdown tables on stdout (pasteable into docs) and a JSON file."""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

from bench.http_bench import TargetResult
from bench.loadgen import percentile
from bench.targets import MOCK, PLUGSTACK
from bench.verdicts import Verdict

__all__ = ["render", "write_json"]


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    cells = [headers, *[["" if c is None else str(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _load_table(results: list[TargetResult]) -> str:
    rows = []
    for result in results:
        for level in result.levels:
            s = level.summary()
            rows.append(
                [
                    result.name,
                    level.mode,
                    level.concurrency,
                    f"{s['rps']:,.0f}",
                    s["latency_p50_ms"],
                    s["latency_p90_ms"],
                    s["latency_p99_ms"],
                    s["ttfc_p50_ms"],
                    s.get("server_cpu_us_per_request"),
                    level.errors or "",
                    level.unfinished or "",
                ]
            )
    headers = [
        "target",
        "mode",
        "c",
        "req/s",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "TTFC p50 ms",
        "server CPU us/req",
        "errors",
        "unfinished",
    ]
    return _table(headers, rows)


def _startup_table(results: list[TargetResult]) -> str:
    rows = [
        [r.name, r.cold_start_median_s, ", ".join(f"{v:.3f}" for v in r.cold_start_s), r.peak_rss_mb]
        for r in results
        if not r.skipped
    ]
    return _table(["target", "cold start s (median)", "runs", "peak RSS MB"], rows)


def _mock_ceiling(results: list[TargetResult]) -> str:
    mock = next((r for r in results if r.name == MOCK and not r.skipped), None)
    if mock is None:
        return "mock ceiling: not measured"
    cpu = [lv.server_cpu_seconds / lv.completed for lv in mock.levels if lv.server_cpu_seconds and lv.completed]
    busiest = max((lv.rps for r in results if r is not mock for lv in r.levels), default=0.0)
    if not cpu:
        return "mock ceiling: no CPU time measured"
    per_request = statistics.median(cpu)
    return (
        f"mock ceiling: about {1 / per_request:,.0f} req/s on one core ({per_request * 1e6:.0f} us CPU per request, "
        f"median of its levels); the busiest gateway level asked it for {busiest:,.0f} req/s"
    )


def _headline_table(results: list[TargetResult]) -> str:
    """Each gateway next to plugstack: the ratios are the headline, not the absolute times."""
    by_name = {r.name: r for r in results if not r.skipped}
    mock, ours = by_name.get(MOCK), by_name.get(PLUGSTACK)

    def p50(result: TargetResult | None, mode: str, what: str) -> float | None:
        level = result.level(mode, 1) if result else None
        return percentile(level.ttfc_ms if what == "ttfc" else level.latencies_ms, 50) if level else None

    def rps(result: TargetResult | None, mode: str) -> float | None:
        level = result.level(mode, 32) if result else None
        return level.rps if level else None

    def added(result: TargetResult, mode: str, what: str) -> str:
        own, floor = p50(result, mode, what), p50(mock, mode, what)
        return "" if own is None or floor is None else f"{own - floor:+.2f}"

    rows = []
    for result in by_name.values():
        if result is mock:
            continue
        row: list[Any] = [result.name, added(result, "non-stream", "latency"), added(result, "stream", "ttfc")]
        for mode in ("non-stream", "stream"):
            theirs, plugstack = rps(result, mode), rps(ours, mode)
            row.append("" if theirs is None else f"{theirs:,.0f}")
            if theirs is None or plugstack is None:
                row.append("")
            else:
                row.append(f"{plugstack / theirs:.2f}x" if theirs else "inf (none answered)")
        rows.append([*row, result.cold_start_median_s, result.peak_rss_mb])
    headers = [
        "gateway",
        "added p50 ms, c=1",
        "added TTFC ms, c=1",
        "req/s c=32",
        "plugstack / it",
        "stream req/s c=32",
        "plugstack / it",
        "cold start s",
        "peak RSS MB",
    ]
    return _table(headers, rows)


def render(results: list[TargetResult], extras: dict[str, Any], verdicts: list[Verdict]) -> str:
    """Everything a reader needs, as Markdown."""
    parts = ["## Headline: each gateway next to plugstack", _headline_table(results), ""]
    parts += ["## Load (closed loop, keep-alive)", _load_table(results), "", _mock_ceiling(results)]
    parts += [f"skipped: {r.name}: {r.skipped}" for r in results if r.skipped]
    parts.append("")
    parts += ["## Start-up and memory", _startup_table(results), ""]
    imports = extras["imports"]
    parts.append(
        f"import plugstack: {imports['import_plugstack_ms']} ms (python -X importtime, median); "
        f"plugin discovery: {imports['plugin_discovery_ms']} ms for {imports['plugins_loaded']} plugins"
    )
    for provider, figures in extras["library"].items():
        if "skipped" in figures:
            parts.append(f"library mode, {provider}: skipped ({figures['skipped']})")
            continue
        us = figures["per_call_us"]
        parts.append(
            f"library mode, {provider}: direct {us['direct']} us, through the stack {us['stack_kwargs']} us "
            f"(+{figures['overhead_us']} us; +{figures['overhead_stream_us']} us per streamed call)"
        )
    soaked = next((r for r in results if r.soak), None)
    if soaked and soaked.soak:
        s = soaked.soak
        rss = s["rss_mb"]
        parts.append(
            f"soak ({soaked.name}, {s['requests']['non_stream']:,} + {s['requests']['stream']:,} streamed, c=32): "
            f"RSS {rss['start']} -> {rss['middle']} -> {rss['end']} MB "
            f"({s['growth_middle_to_end_pct']:+}% middle to end), {s['errors']} errors, {s['unfinished']} unfinished"
        )
    for result in results:
        for level, profile in result.profiles.items():
            if "skipped" in profile:
                parts.append(f"profile of {result.name}, {level}: skipped ({profile['skipped']})")
                continue
            frames = "\n".join(f"    {share:5.1f}%  {frame}" for share, frame in profile["hottest_frames"])
            parts.append(
                f"profile of {result.name}, {level} ({profile['samples']} samples in {profile['file']}), "
                f"own time:\n{frames}"
            )
    parts += [
        "",
        "## Targets",
        _table(["target", "measured", "limit", "verdict"], [[v.name, v.value, v.limit, v.status] for v in verdicts]),
    ]
    return "\n".join(parts)


def write_json(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")
