"""Batch throughput: ``python -m bench.batch_bench [--quick] [--json PATH]``.

The same N chat completion requests (N = 1000, 200 with ``--quick``), run two ways against
the mock upstream (:mod:`bench.mock_upstream`):

- **direct**: this process sends them to the mock itself, ``MAX_IN_FLIGHT`` (8) at a time
  over keep-alive connections (aiohttp), as a client running its own batch would;
- **plugstack batch**: one JSONL file of the N requests is uploaded to a ``plugstack run``
  server (``remote::openai-compatible`` pointed at the mock, ``inline::localfs`` files,
  SQLite state), one batch is created, and the clock stops when its status is
  ``completed`` (polled every 20 ms). The batches router runs the same 8 requests at a
  time, stores each result in the SQL store and writes the output file at the end; the
  output is then checked to answer every request exactly once.

Reported: requests/s of each (median over repeats) and the ratio batch/direct. The upload
is timed apart, since a client pays it once per batch whatever the server does. The
plugstack server runs alone on core 1 (``taskset``); this client and the mock share core 0,
as in ``bench.run``.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import yaml

from bench.entry import bench_main
from bench.loadgen import chat_body
from bench.procs import ServerProcess, free_port
from bench.targets import CHAT_MODEL, UPSTREAM_API_KEY, mock_target
from plugstack.apis.batches.router import MAX_IN_FLIGHT

__all__ = ["main"]

REPO = Path(__file__).resolve().parent.parent
CHAT = "/v1/chat/completions"


def run_config(upstream: str, workdir: Path) -> dict[str, Any]:
    return {
        "distribution_name": "batch-bench",
        "providers": {
            "inference": [
                {
                    "provider_id": "mock",
                    "provider_type": "remote::openai-compatible",
                    "config": {"base_url": upstream + "/v1", "api_key": UPSTREAM_API_KEY, "models": [CHAT_MODEL]},
                }
            ],
            "files": [
                {
                    "provider_id": "localfs",
                    "provider_type": "inline::localfs",
                    "config": {"storage_dir": str(workdir / "files")},
                }
            ],
        },
        "storage": {
            "kvstore": {"db_path": str(workdir / "kv.db")},
            "sqlstore": {"db_path": str(workdir / "sql.db")},
        },
    }


def batch_input(count: int) -> bytes:
    body = json.loads(chat_body(CHAT_MODEL, stream=False))
    lines = [json.dumps({"custom_id": f"req-{i}", "method": "POST", "url": CHAT, "body": body}) for i in range(count)]
    return ("\n".join(lines) + "\n").encode()


async def direct(upstream: str, count: int) -> float:
    """Seconds to send ``count`` requests to the mock, ``MAX_IN_FLIGHT`` at a time (aiohttp, keep-alive)."""
    body = chat_body(CHAT_MODEL, stream=False)
    headers = {"content-type": "application/json", "authorization": f"Bearer {UPSTREAM_API_KEY}"}
    connector = aiohttp.TCPConnector(limit=MAX_IN_FLIGHT)
    async with aiohttp.ClientSession(upstream, connector=connector) as session:

        async def send(total: int) -> None:
            remaining = iter(range(total))

            async def worker() -> None:
                for _ in remaining:
                    async with session.post(CHAT, data=body, headers=headers) as response:
                        response.raise_for_status()
                        await response.json()  # a client reads what it asked for

            await asyncio.gather(*(worker() for _ in range(MAX_IN_FLIGHT)))

        await send(MAX_IN_FLIGHT * 4)  # open and warm the connections
        began = time.perf_counter()
        await send(count)
        return time.perf_counter() - began


async def through_batch(base: str, content: bytes, count: int) -> tuple[float, float]:
    """Seconds to upload the input, and from creating the batch to ``completed``; checks the output."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        began = time.perf_counter()
        response = await client.post("/files", files={"file": ("input.jsonl", content)}, data={"purpose": "batch"})
        response.raise_for_status()
        uploaded = time.perf_counter() - began
        began = time.perf_counter()
        response = await client.post(
            "/batches", json={"input_file_id": response.json()["id"], "endpoint": CHAT, "completion_window": "24h"}
        )
        response.raise_for_status()
        batch = response.json()
        while batch["status"] not in ("completed", "failed", "cancelled", "expired"):
            await asyncio.sleep(0.02)
            batch = (await client.get(f"/batches/{batch['id']}")).json()
        elapsed = time.perf_counter() - began
        if batch["status"] != "completed" or batch["request_counts"]["completed"] != count:
            raise RuntimeError(f"the batch ended {batch['status']}: {batch['request_counts']} {batch.get('errors')}")
        output = (await client.get(f"/files/{batch['output_file_id']}/content")).text.splitlines()
        custom_ids = [json.loads(line)["custom_id"] for line in output]
        if custom_ids != [f"req-{i}" for i in range(count)]:
            raise RuntimeError("the output file does not answer each request exactly once, in order")
        return uploaded, elapsed


async def run(quick: bool) -> dict[str, Any]:
    count, repeats = (200, 1) if quick else (1000, 3)
    os.sched_setaffinity(0, {0})  # this client shares core 0 with the mock; plugstack has core 1
    with tempfile.TemporaryDirectory(prefix="plugstack-batch-bench-") as tmp:
        workdir = Path(tmp)
        mock = mock_target(workdir, core=0)
        mock.server.start()
        try:
            upstream = mock.base_url.removesuffix("/v1")
            config_path = workdir / "run.yaml"
            config_path.write_text(yaml.safe_dump(run_config(upstream, workdir)))
            port = free_port()
            plugstack = ServerProcess(
                "plugstack",
                [str(Path(sys.executable).parent / "plugstack"), "run", str(config_path), "--port", str(port)],
                f"http://127.0.0.1:{port}/v1/health",
                1,
                workdir / "plugstack.log",
                env={"PLUGSTACK_HOME": str(workdir / "home")},
                cwd=REPO,
            )
            plugstack.start()
            try:
                content = batch_input(count)
                direct_s: list[float] = []
                batch_s: list[float] = []
                upload_s: list[float] = []
                for _ in range(repeats):  # alternated, so that drift hits both alike
                    direct_s.append(await direct(upstream, count))
                    uploaded, elapsed = await through_batch(f"http://127.0.0.1:{port}/v1", content, count)
                    upload_s.append(uploaded)
                    batch_s.append(elapsed)
            finally:
                plugstack.stop()
        finally:
            mock.server.stop()
    direct_rps = count / statistics.median(direct_s)
    batch_rps = count / statistics.median(batch_s)
    return {
        "requests": count,
        "concurrency": MAX_IN_FLIGHT,
        "repeats": repeats,
        "direct_seconds": [round(s, 3) for s in direct_s],
        "batch_seconds": [round(s, 3) for s in batch_s],
        "upload_seconds": [round(s, 3) for s in upload_s],
        "input_bytes": len(content),
        "direct_rps": round(direct_rps, 1),
        "batch_rps": round(batch_rps, 1),
        "ratio": round(batch_rps / direct_rps, 3),
    }


def render(results: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"{results['requests']} chat requests, {results['concurrency']} in flight, "
            f"median of {results['repeats']} run(s)",
            "| way | requests/s | seconds per run |",
            "| --- | --- | --- |",
            f"| direct to the mock upstream (aiohttp) | {results['direct_rps']} | {results['direct_seconds']} |",
            f"| one plugstack batch (create to completed) | {results['batch_rps']} | {results['batch_seconds']} |",
            "",
            f"batch / direct: {results['ratio']}x; uploading the {results['input_bytes']}-byte input took "
            f"{results['upload_seconds']} s",
        ]
    )


def main() -> None:
    bench_main(__doc__, run, render, quick_help="200 requests, one run")


if __name__ == "__main__":
    main()
