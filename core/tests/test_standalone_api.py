"""A standalone API: a router with no providers, built on the routers it needs.

The ``counter`` API here is defined by an in-process plugin: it counts the words of echo's
answers, so it needs inference. It shows when such an API is enabled (listed under
``apis``, or with no ``apis`` whenever what it needs is enabled) and that the resolver
builds what it needs first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import plugstack
from plugstack.apis.definition import ApiDefinition, RouterContext
from plugstack.errors import NotImplementedByProviderError, ResolverError
from plugstack.plugins import PluginHost, new_plugin_host
from plugstack.stack import Stack
from plugstack.testing.echo import EchoPlugin

ECHO = {"provider_id": "echo", "provider_type": "inline::echo", "config": {}}


class CounterRouter:
    def __init__(self, inference: Any) -> None:
        self.inference = inference

    async def count_words(self, text: str) -> int:
        answer = await self.inference.chat_completion(model="echo-1", messages=[{"role": "user", "content": text}])
        return len(answer.choices[0].message.content.split())


async def build_counter(context: RouterContext) -> dict[str, object]:
    assert context.providers == {}
    return {"counter": CounterRouter(context.routers["inference"])}


class CounterPlugin:
    @plugstack.hookimpl
    def plugstack_apis(self) -> list[ApiDefinition]:
        return [
            ApiDefinition(
                name="counter",
                description="counts the words of a model's answer",
                router=f"{__name__}:build_counter",
                needs=("inference",),
                standalone=True,
            )
        ]


def counter_host() -> PluginHost:
    host = new_plugin_host()
    assert host.register(EchoPlugin(), name="echo")
    assert host.register(CounterPlugin(), name="counter")
    return host


def config(tmp_path: Path, **extra: Any) -> dict[str, Any]:
    return {
        "distribution_name": "counter",
        "providers": {"inference": [ECHO]},
        "storage": {"kvstore": {"db_path": str(tmp_path / "kv.db")}},
        **extra,
    }


async def test_with_no_apis_listed_it_is_enabled_when_what_it_needs_is(tmp_path: Path) -> None:
    async with await Stack.from_config(config(tmp_path), host=counter_host()) as stack:
        assert await stack.counter.count_words("one two three") == 3


async def test_listed_under_apis_it_is_enabled(tmp_path: Path) -> None:
    async with await Stack.from_config(config(tmp_path, apis=["inference", "counter"]), host=counter_host()) as stack:
        assert await stack.counter.count_words("a b") == 2


async def test_left_out_of_apis_it_is_not_enabled_and_says_how(tmp_path: Path) -> None:
    async with await Stack.from_config(config(tmp_path, apis=["inference"]), host=counter_host()) as stack:
        with pytest.raises(NotImplementedByProviderError, match="list it under 'apis' \\(it needs inference\\)"):
            await stack.counter.count_words("a")


async def test_listed_without_what_it_needs_it_is_refused(tmp_path: Path) -> None:
    bare = {"distribution_name": "counter", "apis": ["counter"], "providers": {}}
    with pytest.raises(ResolverError, match="the counter API needs the inference API"):
        await Stack.from_config(bare, host=counter_host())


def test_a_standalone_api_takes_no_providers() -> None:
    with pytest.raises(ValueError, match="a standalone API has a router and no providers"):
        ApiDefinition(name="x", description="", standalone=True)


async def test_a_table_of_a_standalone_api_that_is_not_enabled_names_that_api(tmp_path: Path) -> None:
    host = new_plugin_host()
    assert host.register(EchoPlugin(), name="echo")
    async with await Stack.from_config(config(tmp_path, apis=["inference"]), host=host) as stack:
        with pytest.raises(NotImplementedByProviderError, match="does not enable the eval API: list it under 'apis'"):
            stack.benchmarks.list()
