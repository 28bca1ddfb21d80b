"""Library mode: what ``stack.inference.chat_completion(...)`` costs over calling the provider.

Both sides get the same request and the same provider instance; the difference is the
core's routing (validation, model lookup, the ``plugstack_api_call`` hook, renaming the
model). Two providers are measured:

- ``inline::echo`` (the core's in-process test provider): no I/O, so the difference is
  the core's cost alone, measured to a microsecond;
- ``remote::openai-compatible`` against the mock upstream: the real adapter, where the
  same difference sits on top of an HTTP round trip and is noisier.

Calls alternate between the two sides in small batches, so drift hits both alike; the
figure is the median per-call time over batches. Run as
``python -m bench.library_mode --upstream http://127.0.0.1:PORT``; prints JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from typing import Any

from plugstack.apis import Api
from plugstack.apis.inference import ChatCompletionRequest
from plugstack.plugins import PluginHost, get_plugin_host, new_plugin_host
from plugstack.stack import Stack
from plugstack.testing.echo import EchoPlugin

__all__ = ["measure"]

_PROMPT = " ".join(["word"] * 50)
_MESSAGES = [{"role": "user", "content": _PROMPT}]

Call = Callable[[], Awaitable[Any]]


async def _drain(result: Any) -> None:
    if hasattr(result, "__aiter__"):
        async for _chunk in result:
            pass


async def _per_call_us(calls: dict[str, Call], rounds: int, batch: int) -> dict[str, float]:
    """Median over ``rounds`` of the mean per-call time of a batch, for each call, interleaved."""
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for call in calls.values():  # warm caches and connections
        for _ in range(batch):
            await _drain(await call())
    for _ in range(rounds):
        for name, call in calls.items():
            started = time.perf_counter()
            for _ in range(batch):
                await _drain(await call())
            samples[name].append((time.perf_counter() - started) / batch * 1e6)
    return {name: round(statistics.median(values), 2) for name, values in samples.items()}


async def _compare(stack: Stack, provider_id: str, model: str, rounds: int, batch: int) -> dict[str, Any]:
    provider = stack.models.providers[provider_id]
    provider_model = stack.models.resolve(model).provider_resource_id
    direct = ChatCompletionRequest(model=provider_model, messages=_MESSAGES)
    direct_stream = direct.model_copy(update={"stream": True})
    routed = ChatCompletionRequest(model=model, messages=_MESSAGES)
    calls: dict[str, Call] = {
        "direct": lambda: provider.chat_completion(direct),
        "stack_kwargs": lambda: stack.inference.chat_completion(model=model, messages=_MESSAGES),
        "stack_request": lambda: stack.inference.chat_completion(routed),
        "direct_stream": lambda: provider.chat_completion(direct_stream),
        "stack_stream": lambda: stack.inference.chat_completion(model=model, messages=_MESSAGES, stream=True),
    }
    us = await _per_call_us(calls, rounds, batch)
    return {
        "per_call_us": us,
        "overhead_us": round(us["stack_kwargs"] - us["direct"], 2),
        "overhead_prebuilt_request_us": round(us["stack_request"] - us["direct"], 2),
        "overhead_stream_us": round(us["stack_stream"] - us["direct_stream"], 2),
        "rounds": rounds,
        "batch": batch,
    }


def _config(provider_id: str, provider_type: str, config: dict[str, Any]) -> dict[str, Any]:
    return {
        "distribution_name": "bench-library",
        "providers": {"inference": [{"provider_id": provider_id, "provider_type": provider_type, "config": config}]},
    }


async def measure(upstream: str | None, rounds: int, batch: int) -> dict[str, Any]:
    """Overhead figures for the echo provider and, given ``upstream``, the remote adapter."""
    results: dict[str, Any] = {}
    echo_host: PluginHost = new_plugin_host()
    echo_host.register(EchoPlugin(), name="echo")
    async with await Stack.from_config(_config("echo", "inline::echo", {}), host=echo_host) as stack:
        results["inline::echo"] = await _compare(stack, "echo", "echo-1", rounds, batch)
    if upstream is not None:
        remote_config = {"base_url": upstream + "/v1", "api_key": "bench-not-a-secret", "models": ["mock-chat"]}
        host = get_plugin_host()
        if host.provider(Api.inference, "remote::openai-compatible") is None:
            results["remote::openai-compatible"] = {"skipped": "plugstack-openai is not installed"}
        else:
            config = _config("mock", "remote::openai-compatible", remote_config)
            async with await Stack.from_config(config, host=host) as stack:
                results["remote::openai-compatible"] = await _compare(
                    stack, "mock", "mock-chat", max(5, rounds // 4), batch
                )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description="library-mode overhead, as JSON")
    parser.add_argument("--upstream", help="the mock upstream's origin, http://127.0.0.1:PORT")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--batch", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        os.environ["PLUGSTACK_HOME"] = home
        print(json.dumps(asyncio.run(measure(args.upstream, args.rounds, args.batch))))


if __name__ == "__main__":
    main()
