"""Responses benchmark: ``python -m bench.responses_bench [--quick] [--json PATH]``.

What the Responses API adds over a bare chat completion, at concurrency 1, through one
plugstack server to the mock upstream (which answers at once, so the figures are
plugstack's own time):

- a one-round response (no tools), not stored and stored (SQLite), plain and streamed,
  against ``POST /v1/chat/completions`` of the same prompt: the target is < 2 ms added;
- a response with one tool round: the mock calls the MCP tool ``add`` of ``bench.mcp_server``
  first, plugstack runs it and asks again. Against the one-round response, the difference
  is one tool round: the MCP call, the second inference, the items in between. The MCP
  call and a bare chat completion are measured alone beside it, so what is left is the
  loop's own cost.

Same core layout as the other benchmarks: the plugstack server alone on core 1; this
client, the mock upstream and the MCP server on core 0.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import httpx

from bench.entry import bench_main
from bench.latency import Call, added_ms, interleaved
from bench.targets import CHAT_MODEL, mcp_target, mock_target, plugstack_run_config, plugstack_target

__all__ = ["main"]

TARGET_ADDED_MS = 2.0
PROMPT = "Say something about the weather."


async def measure(base: str, mcp_url: str, rounds: int, batch: int) -> dict[str, Any]:
    from mcp import Client

    mcp_tool = {"type": "mcp", "server_label": "bench", "server_url": mcp_url, "require_approval": "never"}
    async with httpx.AsyncClient(base_url=base, timeout=30) as client, Client(mcp_url) as mcp:

        def post(path: str, body: dict[str, Any], check: str) -> Call:
            async def call() -> None:
                response = await client.post(path, json=body)
                response.raise_for_status()
                assert check in response.text, response.text[:300]

            return call

        def stream(path: str, body: dict[str, Any], last: bytes) -> Call:
            async def call() -> None:
                tail = b""
                async with client.stream("POST", path, json={**body, "stream": True}) as response:
                    response.raise_for_status()
                    async for chunk in response.aiter_bytes():
                        tail = (tail + chunk)[-8192:]
                assert last in tail, tail

            return call

        async def mcp_direct() -> None:
            assert not (await mcp.call_tool("add", {"a": 1, "b": 1})).is_error

        chat = {"model": CHAT_MODEL, "messages": [{"role": "user", "content": PROMPT}]}
        response = {"model": CHAT_MODEL, "input": PROMPT, "store": False}
        stored = {**response, "store": True}
        with_tool = {**response, "tools": [mcp_tool]}
        one_round = await interleaved(
            {
                "chat completion": post("/chat/completions", chat, '"chat.completion"'),
                "response": post("/responses", response, '"completed"'),
                "response, stored": post("/responses", stored, '"completed"'),
            },
            rounds,
            batch,
        )
        streamed = await interleaved(
            {
                "chat completion": stream("/chat/completions", chat, b"[DONE]"),
                "response": stream("/responses", response, b"event: response.completed"),
            },
            rounds,
            batch,
        )
        tool_round = await interleaved(
            {
                "chat completion": post("/chat/completions", chat, '"chat.completion"'),
                "MCP call, direct": mcp_direct,
                "response": post("/responses", response, '"completed"'),
                "response with an MCP tool round": post("/responses", with_tool, '"mcp_call"'),
            },
            rounds,
            batch,
        )
    one_tool_round = added_ms(tool_round, "response", "response with an MCP tool round")
    inner = (tool_round["chat completion"]["median_us"] + tool_round["MCP call, direct"]["median_us"]) / 1000
    return {
        "one_round": one_round,
        "streamed": streamed,
        "tool_round": tool_round,
        "summary": {
            "response_added_ms": added_ms(one_round, "chat completion", "response"),
            "stored_response_added_ms": added_ms(one_round, "chat completion", "response, stored"),
            "streamed_response_added_ms": added_ms(streamed, "chat completion", "response"),
            "tool_round_ms": one_tool_round,
            "tool_round_loop_ms": round(one_tool_round - inner, 3),
        },
    }


def render(results: dict[str, Any]) -> str:
    lines = ["| measurement | median | p99 |", "| --- | --- | --- |"]
    for part in ("one_round", "streamed", "tool_round"):
        for name, figures in results[part].items():
            lines.append(f"| {part.replace('_', ' ')}: {name} | {figures['median_us']} µs | {figures['p99_us']} µs |")
    s = results["summary"]
    verdict = "PASS" if s["response_added_ms"] < TARGET_ADDED_MS else "FAIL"
    lines += [
        "",
        f"one-round response over a bare chat completion: +{s['response_added_ms']} ms "
        f"(target < {TARGET_ADDED_MS} ms: {verdict}); stored: +{s['stored_response_added_ms']} ms; "
        f"streamed: +{s['streamed_response_added_ms']} ms",
        f"one MCP tool round: +{s['tool_round_ms']} ms, of which {s['tool_round_loop_ms']} ms is the loop's own "
        "(beyond the second inference and the MCP call themselves)",
    ]
    return "\n".join(lines)


async def run(quick: bool) -> dict[str, Any]:
    rounds, batch = (8, 15) if quick else (25, 40)
    os.sched_setaffinity(0, {0})
    with tempfile.TemporaryDirectory(prefix="plugstack-responses-bench-") as tmp:
        workdir = Path(tmp)
        mock, mcp = mock_target(workdir, core=0), mcp_target(workdir, core=0)
        mock.server.start()
        mcp.server.start()
        try:
            upstream = mock.base_url.removesuffix("/v1")
            config = plugstack_run_config(upstream)
            config["providers"]["tool_runtime"] = [  # type: ignore[index]
                {"provider_id": "mcp", "provider_type": "remote::model-context-protocol", "config": {}}
            ]
            plugstack = plugstack_target(workdir, 1, upstream, config)
            plugstack.server.start()
            try:
                return await measure(plugstack.base_url, mcp.base_url, rounds, batch)
            finally:
                plugstack.server.stop()
        finally:
            mcp.server.stop()
            mock.server.stop()


def main() -> None:
    bench_main(__doc__, run, render)


if __name__ == "__main__":
    main()
