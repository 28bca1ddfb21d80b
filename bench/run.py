"""Run the whole benchmark: ``python -m bench.run [--quick] [--peers]``.

The load generator (this process) and the mock upstream share one core; each server
under test runs alone on the other (``taskset``). Targets run one after another against
the same mock: the mock directly, the aiohttp pass-through, the plugstack server and, with
``--peers``, LiteLLM and Llama Stack. Then library mode, import time and the soak.
Results go to stdout as Markdown and to ``bench/results/<timestamp>.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench import peers
from bench.http_bench import FULL, QUICK, TargetResult, run_sweeps, start_target
from bench.machine import machine_facts
from bench.report import render, write_json
from bench.soak import soak
from bench.startup import measure_imports
from bench.targets import PLUGSTACK, Target, mock_target, passthrough_target, plugstack_target
from bench.verdicts import judge

__all__ = ["main"]

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def _library_mode(core: int, upstream: str, quick: bool) -> tuple[dict[str, Any], str]:
    rounds = "10" if quick else "40"
    command = [
        "taskset",
        "-c",
        str(core),
        sys.executable,
        "-m",
        "bench.library_mode",
        "--upstream",
        upstream,
        "--rounds",
        rounds,
    ]
    done = subprocess.run(command, capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        return {"inline::echo": {"skipped": reason}}, shlex.join(command)
    return json.loads(done.stdout), shlex.join(command)


def _targets(args: argparse.Namespace, workdir: Path, upstream: str) -> list[Target | TargetResult]:
    """The gateways to measure; a peer that cannot be installed is a skipped result."""
    targets: list[Target | TargetResult] = [
        passthrough_target(workdir, args.server_core, upstream),
        plugstack_target(workdir, args.server_core, upstream),
    ]
    if args.peers:
        for peer in peers.PEERS:
            print(f"# {peer.name}: installing if needed", flush=True)
            target_or_reason = peer.target(workdir, args.server_core, upstream)
            if isinstance(target_or_reason, str):
                print(f"  skipped: {target_or_reason}", flush=True)
                targets.append(TargetResult(peer.name, skipped=target_or_reason))
            else:
                targets.append(target_or_reason)
    return targets


async def _run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    plan = QUICK if args.quick else FULL
    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    mock = mock_target(workdir, args.loadgen_core)
    print("# cold starts", flush=True)
    mock_result = start_target(mock, plan)
    if mock_result.skipped:
        raise SystemExit(f"the mock upstream did not start: {mock_result.skipped}")
    upstream = mock.base_url.removesuffix("/v1")
    results, live = [mock_result], [(mock, mock_result)]
    try:
        for item in _targets(args, workdir, upstream):
            result = item if isinstance(item, TargetResult) else start_target(item, plan)
            results.append(result)
            if isinstance(item, Target) and not result.skipped:
                live.append((item, result))
        print("# load", flush=True)
        profile = (PLUGSTACK, args.output_path.parent, args.output_path.stem) if args.profile else None
        await run_sweeps(live, plan, peers={peer.name for peer in peers.PEERS}, profile=profile)
        plugstack = next(((t, r) for t, r in live if t.name == PLUGSTACK), None)
        if plugstack is not None:
            print("# soak", flush=True)
            target, result = plugstack
            result.soak = await soak(
                target, plan.soak_non_stream, plan.soak_stream, concurrency=32, time_cap=plan.soak_time_cap
            )
        for target, result in live:
            result.peak_rss_mb = round(target.server.rss_mb("VmHWM"), 1)
        print("# library mode and imports", flush=True)
        library, library_command = _library_mode(args.server_core, upstream, args.quick)
    finally:
        for target, _result in live:
            target.server.stop()
    imports = measure_imports()
    verdicts = judge({r.name: r for r in results}, library, imports)
    print("\n" + render(results, {"imports": imports, "library": library}, verdicts), flush=True)
    return {
        "started_at": started,
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "quick": args.quick,
        "plan": asdict(plan),
        "cores": {"load_generator_and_mock": args.loadgen_core, "server": args.server_core},
        "machine": machine_facts(),
        "peer_versions": peers.installed_versions() if args.peers else {},
        "commands": {
            "benchmark": shlex.join([sys.executable, "-m", "bench.run", *sys.argv[1:]]),
            "targets": {r.name: r.command for r in results},
            "library_mode": library_command,
            "imports": imports["commands"],
        },
        "targets": [r.summary() for r in results],
        "library_mode": library,
        "imports": imports,
        "verdicts": [v.as_dict() for v in verdicts],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="plugstack benchmarks (see docs/performance.md)")
    parser.add_argument("--quick", action="store_true", help="scaled-down run (under 3 minutes)")
    parser.add_argument("--peers", action="store_true", help="also measure LiteLLM proxy and Llama Stack")
    parser.add_argument("--loadgen-core", type=int, default=0, help="core for the load generator and the mock")
    parser.add_argument("--server-core", type=int, default=1, help="core for the server under test")
    parser.add_argument("--output", type=Path, help="JSON path (default bench/results/<timestamp>.json)")
    parser.add_argument("--profile", action="store_true", help="py-spy the plugstack server at concurrency 32")
    args = parser.parse_args()
    os.sched_setaffinity(0, {args.loadgen_core})
    # SIGTERM (nox, CI, kill) unwinds like Ctrl-C, so every server started is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args.output_path = args.output or RESULTS_DIR / f"{time.strftime('%Y%m%dT%H%M%S')}.json"
    args.output_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="plugstack-bench-") as workdir:
        try:
            import uvloop
        except ImportError:
            document = asyncio.run(_run(args, Path(workdir)))
        else:
            document = uvloop.run(_run(args, Path(workdir)))
    write_json(args.output_path, document)
    print(f"\nfull results: {args.output_path}")


if __name__ == "__main__":
    main()
