"""One model, many requests: serialised in arrival order, never mixed, stopped when the consumer leaves."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from plugstack_llama_cpp.config import LlamaCppModelConfig
from plugstack_llama_cpp.gguf_file import read_gguf_info
from plugstack_llama_cpp.runner import ModelRunner

from plugstack.stack import Stack

PROMPTS = ["hello there", "what is the weather in paris", "yes no true false"]


def messages(prompt: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": prompt}]


async def streamed_text(stack: Stack, prompt: str, **params: Any) -> str:
    chunks = await stack.inference.chat_completion(model="tiny", messages=messages(prompt), stream=True, **params)
    pieces = []
    async for chunk in chunks:  # type: ignore[union-attr]
        pieces.extend(choice.delta.get("content") or "" for choice in chunk.choices)
        await asyncio.sleep(0)  # let the other consumers run between chunks
    return "".join(pieces)


async def test_concurrent_streams_each_get_their_own_answer(stack: Stack) -> None:
    alone = [await streamed_text(stack, p, max_tokens=24, temperature=1.0, seed=i) for i, p in enumerate(PROMPTS)]
    assert len(set(alone)) == 3
    together = await asyncio.gather(
        *(streamed_text(stack, p, max_tokens=24, temperature=1.0, seed=i) for i, p in enumerate(PROMPTS))
    )
    assert list(together) == alone


async def test_requests_are_served_in_arrival_order(stack: Stack) -> None:
    finished: list[int] = []

    async def ask(i: int) -> None:
        await stack.inference.chat_completion(model="tiny", messages=messages(PROMPTS[i]), max_tokens=16)
        finished.append(i)

    tasks = []
    for i in range(3):
        tasks.append(asyncio.create_task(ask(i)))
        await asyncio.sleep(0)  # task i reaches the model's queue before task i+1 starts
    await asyncio.gather(*tasks)
    assert finished == [0, 1, 2]


def runner_of(stack: Stack) -> ModelRunner:
    runner: ModelRunner = stack.inference.table.providers["llama"].runners["tiny"]
    return runner


def evaluated_tokens(runner: ModelRunner) -> int:
    """Tokens in the KV cache of the (only) instance: prompt plus what was generated."""
    llama = runner.instances[0].llama
    assert llama is not None
    return int(llama.n_tokens)


async def test_closing_a_stream_stops_generation_and_frees_the_model(stack: Stack) -> None:
    chunks = await stack.inference.chat_completion(model="tiny", messages=messages("hi"), stream=True, max_tokens=900)
    for _ in range(3):
        await anext(chunks)  # type: ignore[call-overload]
    await chunks.aclose()  # type: ignore[union-attr]
    runner = runner_of(stack)
    await asyncio.wait_for(runner.idle(), timeout=30)
    assert evaluated_tokens(runner) < 200, "generation stopped long before 900 tokens"
    reply = await stack.inference.chat_completion(model="tiny", messages=messages("hi"), max_tokens=4)
    assert reply.choices[0].finish_reason == "length"  # type: ignore[union-attr]


async def test_cancelling_a_request_stops_generation(stack: Stack) -> None:
    await stack.inference.chat_completion(model="tiny", messages=messages("hi"), max_tokens=1)  # load the model
    started = asyncio.Event()

    async def ask() -> None:
        chunks = await stack.inference.chat_completion(
            model="tiny", messages=messages("hi"), stream=True, max_tokens=900
        )
        started.set()
        async for _ in chunks:  # type: ignore[union-attr]
            pass

    task = asyncio.create_task(ask())
    await started.wait()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    runner = runner_of(stack)
    await asyncio.wait_for(runner.idle(), timeout=30)
    assert evaluated_tokens(runner) < 200


async def test_runner_frees_the_instance_when_the_worker_notices_the_stop(tiny_model: Path) -> None:
    """A work function that would run forever: the runner must stop it at the next item."""
    config = LlamaCppModelConfig(model_id="tiny", path=str(tiny_model))
    runner = ModelRunner(config, read_gguf_info(tiny_model, model_id="tiny"))
    produced: list[int] = []
    stopped = threading.Event()

    def forever(llama: Any, stop: threading.Event) -> Iterator[int]:
        n = 0
        try:
            while True:
                n += 1
                produced.append(n)
                yield n
        finally:
            stopped.set()

    stream = runner.stream(forever)
    assert await anext(stream) == 1
    await stream.aclose()  # type: ignore[attr-defined]
    await asyncio.wait_for(runner.idle(), timeout=30)
    assert stopped.is_set()
    await runner.close()


async def test_shutdown_with_a_stream_left_open(
    host: Any, run_config: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr("plugstack_llama_cpp.runner.CLOSE_GRACE_SECONDS", 0.5)
    stack = await Stack.from_config(run_config(), host=host)
    chunks = await stack.inference.chat_completion(model="tiny", messages=messages("hi"), stream=True, max_tokens=900)
    await anext(chunks)  # type: ignore[call-overload]
    runner = runner_of(stack)
    await stack.close()  # the stream is neither finished nor closed
    assert not runner.loaded, "the model was freed"
    assert "left open at shutdown" in caplog.text
    await chunks.aclose()  # type: ignore[union-attr]


async def test_a_pool_of_instances_serves_requests_side_by_side(host: Any, run_config: Any, tiny_model: Path) -> None:
    models = [
        {"model_id": "tiny", "path": str(tiny_model), "n_ctx": 1024, "instances": 2, "reuse_prompt_prefix": False}
    ]
    async with await Stack.from_config(run_config(models=models), host=host) as stack:
        runner = runner_of(stack)
        alone = [await streamed_text(stack, p, max_tokens=24, temperature=1.0, seed=i) for i, p in enumerate(PROMPTS)]
        first = await stack.inference.chat_completion(model="tiny", messages=messages("a"), stream=True, max_tokens=900)
        second = await stack.inference.chat_completion(
            model="tiny", messages=messages("b"), stream=True, max_tokens=900
        )
        assert runner.busy == 2, "both instances serve at once"
        third = asyncio.create_task(
            stack.inference.chat_completion(model="tiny", messages=messages("c"), stream=True, max_tokens=4)
        )
        await asyncio.sleep(0.2)
        assert not third.done(), "a third request waits for a free instance"
        await first.aclose()  # type: ignore[union-attr]
        assert [c async for c in await third]  # type: ignore[union-attr]
        await second.aclose()  # type: ignore[union-attr]
        together = await asyncio.gather(
            *(streamed_text(stack, p, max_tokens=24, temperature=1.0, seed=i) for i, p in enumerate(PROMPTS))
        )
        assert list(together) == alone
        assert all(instance.llama is not None for instance in runner.instances)
