"""Safety and tools benchmark: ``python -m bench.safety_tools_bench [--quick] [--json PATH]``.

What shields and tool calls add to a request, each measured against the same call without
them, in one run, at concurrency 1 (latency, not throughput):

1. **Rules shield** (``inline::rules``, on a 330-character message):
   - the shield alone: ``run_moderation`` on the provider object, in this process;
   - ``POST /v1/moderations`` to a plugstack server, beside ``GET /v1/health`` on the same
     server (the floor of any request: HTTP, middleware, access log);
   - guardrails: a chat completion through plugstack to the mock upstream, plain and
     streamed, to a model guarded by the rules shield on input and output, against the same
     upstream model under another id that is not guarded. The difference is what guarding a
     chat costs.
2. **MCP tool call** (``remote::model-context-protocol``): ``add(a, b)`` on a local MCP server
   over streamable HTTP, called directly with the mcp SDK's ``Client`` (one open session),
   against ``POST /v1/tool-runtime/invoke`` on plugstack and ``stack.tool_runtime.invoke_tool``
   in library mode (both keep one session open to the server too).

The two sides of each comparison alternate in small batches, so drift hits both alike;
figures are medians over batches (per-call means within a batch) plus p99 of single calls.
The plugstack server runs alone on core 1 (``taskset``); this client, the mock upstream and
the MCP server share core 0, as in ``bench.run``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import httpx

from bench.entry import bench_main
from bench.latency import Call, added_ms, interleaved
from bench.targets import CHAT_MODEL, UPSTREAM_API_KEY, mcp_target, mock_target, plugstack_target

__all__ = ["main"]

GUARDED_MODEL = "mock-chat-guarded"
MESSAGE = (
    "Hello! I would like some help planning a weekend trip to the mountains with two friends. "
    "We are thinking of hiking on Saturday and visiting a small town on Sunday, and we need "
    "ideas for food, a place to stay that is not too expensive, and what to pack if it rains. "
    "Could you suggest an itinerary and a short packing list for us?"
)
PII_MESSAGE = MESSAGE[:300] + " Mail ada@example.com, card 4111 1111 1111 1111."


def run_config(upstream: str, mcp_url: str) -> dict[str, Any]:
    return {
        "distribution_name": "safety-tools-bench",
        "providers": {
            "inference": [
                {
                    "provider_id": "mock",
                    "provider_type": "remote::openai-compatible",
                    "config": {"base_url": upstream + "/v1", "api_key": UPSTREAM_API_KEY, "models": [CHAT_MODEL]},
                }
            ],
            "safety": [{"provider_id": "rules", "provider_type": "inline::rules", "config": {"shield_id": "rules"}}],
            "tool_runtime": [{"provider_id": "mcp", "provider_type": "remote::model-context-protocol", "config": {}}],
        },
        "registered_resources": {
            "models": [{"model_id": GUARDED_MODEL, "provider_id": "mock", "provider_model_id": CHAT_MODEL}],
            "guardrails": [{"models": [GUARDED_MODEL], "input_shields": ["rules"], "output_shields": ["rules"]}],
            "tool_groups": [{"toolgroup_id": "bench-mcp", "provider_id": "mcp", "mcp_endpoint": {"uri": mcp_url}}],
        },
    }


async def shield_alone(rounds: int, batch: int) -> dict[str, Any]:
    """The rules shield's own work: its provider object, no router, no HTTP."""
    from plugstack_rules_shield.config import RulesShieldConfig
    from plugstack_rules_shield.provider import create_provider

    from plugstack.apis.shields.types import Shield
    from plugstack.provider_context import ProviderContext

    context = ProviderContext(api="safety", provider_id="rules", provider_type="inline::rules", routers={})
    provider = create_provider(RulesShieldConfig(), context)
    shield = Shield(id="rules", provider_id="rules", provider_resource_id="rules")
    return await interleaved(
        {
            "clean text": lambda: provider.run_moderation(shield, [MESSAGE]),
            "text with PII": lambda: provider.run_moderation(shield, [PII_MESSAGE]),
        },
        rounds,
        batch,
    )


async def over_http(base: str, rounds: int, batch: int) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:

        async def health() -> None:
            (await client.get("/health")).raise_for_status()

        async def moderation() -> None:
            (await client.post("/moderations", json={"model": "rules", "input": MESSAGE})).raise_for_status()

        def chat(model: str) -> Call:
            body = {"model": model, "messages": [{"role": "user", "content": MESSAGE}]}

            async def call() -> None:
                (await client.post("/chat/completions", json=body)).raise_for_status()

            return call

        def stream(model: str) -> Call:
            body = {"model": model, "stream": True, "messages": [{"role": "user", "content": MESSAGE}]}

            async def call() -> None:
                async with client.stream("POST", "/chat/completions", json=body) as response:
                    response.raise_for_status()
                    async for _ in response.aiter_bytes():
                        pass

            return call

        moderations = await interleaved({"GET /v1/health": health, "POST /v1/moderations": moderation}, rounds, batch)
        chats = await interleaved({"unguarded": chat(CHAT_MODEL), "guarded": chat(GUARDED_MODEL)}, rounds, batch)
        streams = await interleaved({"unguarded": stream(CHAT_MODEL), "guarded": stream(GUARDED_MODEL)}, rounds, batch)
        return {
            "moderation": moderations,
            "chat": chats,
            "stream": streams,
        }


async def mcp_call(base: str, mcp_url: str, config: dict[str, Any], rounds: int, batch: int) -> dict[str, Any]:
    from mcp import Client

    from plugstack.stack import Stack

    async with (
        Client(mcp_url) as direct,
        httpx.AsyncClient(base_url=base, timeout=30) as http,
        await Stack.from_config(config) as stack,
    ):

        async def sdk() -> None:
            result = await direct.call_tool("add", {"a": 2, "b": 3})
            assert not result.is_error

        async def server() -> None:
            response = await http.post("/tool-runtime/invoke", json={"tool_name": "add", "kwargs": {"a": 2, "b": 3}})
            response.raise_for_status()

        async def library() -> None:
            result = await stack.tool_runtime.invoke_tool(tool_name="add", kwargs={"a": 2, "b": 3})
            assert result.error_message is None

        return await interleaved(
            {"mcp SDK, direct": sdk, "plugstack library mode": library, "plugstack HTTP": server}, rounds, batch
        )


def render(results: dict[str, Any]) -> str:
    lines = ["| measurement | median | p99 |", "| --- | --- | --- |"]

    def rows(prefix: str, table: dict[str, dict[str, float]]) -> None:
        for name, figures in table.items():
            lines.append(f"| {prefix}: {name} | {figures['median_us']} µs | {figures['p99_us']} µs |")

    rows("rules shield alone", results["shield_alone"])
    rows("HTTP", results["moderation"])
    rows("chat", results["chat"])
    rows("streamed chat", results["stream"])
    rows("MCP add()", results["mcp"])
    s = results["summary"]
    lines += [
        "",
        f"rules shield per moderation: {s['shield_alone_us']} µs of its own; "
        f"POST /v1/moderations is {s['moderation_over_health_ms']} ms above GET /v1/health",
        f"guardrails (rules on input and output): +{s['guarded_chat_ms']} ms per chat, "
        f"+{s['guarded_stream_ms']} ms per streamed chat",
        f"MCP tool call through plugstack: +{s['mcp_library_ms']} ms in library mode, "
        f"+{s['mcp_http_ms']} ms over HTTP, over the mcp SDK calling the server directly",
    ]
    return "\n".join(lines)


async def run(quick: bool) -> dict[str, Any]:
    rounds, batch = (10, 20) if quick else (30, 50)
    os.sched_setaffinity(0, {0})  # this client shares core 0 with the upstreams; plugstack has core 1
    with tempfile.TemporaryDirectory(prefix="plugstack-safety-tools-") as tmp:
        workdir = Path(tmp)
        mock = mock_target(workdir, core=0)
        mcp = mcp_target(workdir, core=0)
        mcp_url = mcp.base_url
        mock.server.start()
        mcp.server.start()
        try:
            config = run_config(mock.base_url.removesuffix("/v1"), mcp_url)
            target = plugstack_target(workdir, 1, mock.base_url, config)
            plugstack = target.server
            plugstack.start()
            try:
                base = target.base_url
                results: dict[str, Any] = {"shield_alone": await shield_alone(rounds, batch * 10)}
                results.update(await over_http(base, rounds, batch))
                library = {
                    "distribution_name": "mcp-library-bench",
                    "providers": {"tool_runtime": config["providers"]["tool_runtime"]},
                    "registered_resources": {"tool_groups": config["registered_resources"]["tool_groups"]},
                    "storage": {"kvstore": {"db_path": str(workdir / "library-kv.db")}},
                }
                results["mcp"] = await mcp_call(base, mcp_url, library, rounds, batch)
            finally:
                plugstack.stop()
        finally:
            mcp.server.stop()
            mock.server.stop()
    results["summary"] = {
        "shield_alone_us": results["shield_alone"]["clean text"]["median_us"],
        "moderation_over_health_ms": added_ms(results["moderation"], "GET /v1/health", "POST /v1/moderations"),
        "guarded_chat_ms": added_ms(results["chat"], "unguarded", "guarded"),
        "guarded_stream_ms": added_ms(results["stream"], "unguarded", "guarded"),
        "mcp_library_ms": added_ms(results["mcp"], "mcp SDK, direct", "plugstack library mode"),
        "mcp_http_ms": added_ms(results["mcp"], "mcp SDK, direct", "plugstack HTTP"),
    }
    return results


def main() -> None:
    bench_main(__doc__, run, render)


if __name__ == "__main__":
    main()
