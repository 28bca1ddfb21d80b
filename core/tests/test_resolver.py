"""Resolver: dependency order, failures refused before anything starts, reverse shutdown."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

import plugstack
from plugstack import Stack
from plugstack.apis import Api
from plugstack.errors import NotImplementedByProviderError, ResolverError
from plugstack.plugins import PluginHost
from plugstack.provider_spec import ProviderSpec

EVENTS: list[str] = []


class DepConfig(BaseModel):
    name: str
    required_value: str = "x"
    fail_on_start: bool = False


class DepProvider:
    """Records its start and stop, and which routers it was given.

    It stands in for a provider of several APIs, so it has every method of their
    Protocols (the stack refuses a provider that lacks one); none is called here.
    """

    def __init__(self, config: DepConfig, deps: dict[Api, Any]) -> None:
        self.name = config.name
        self.deps = deps
        self.fail_on_start = config.fail_on_start

    async def initialize(self) -> None:
        if self.fail_on_start:
            raise RuntimeError(f"{self.name} cannot start")
        EVENTS.append(f"start {self.name} deps={sorted(a.value for a in self.deps)}")

    async def shutdown(self) -> None:
        EVENTS.append(f"stop {self.name}")

    async def list_models(self) -> list[Any]:
        return []

    async def chat_completion(self, request: Any) -> Any:
        raise NotImplementedByProviderError("not needed here")

    completion = embeddings = run_shield = list_tools = invoke_tool = chat_completion


def make_factory(config: DepConfig, deps: dict[Api, Any]) -> DepProvider:
    return DepProvider(config, deps)


def spec(api: Api, name: str, deps: list[Api] = [], optional: list[Api] = []) -> ProviderSpec:  # noqa: B006
    return ProviderSpec(
        api=api,
        provider_type=f"inline::{name}",
        config_class=f"{__name__}:DepConfig",
        adapter_factory=f"{__name__}:make_factory",
        api_dependencies=deps,
        optional_api_dependencies=optional,
    )


class GraphPlugin:
    @plugstack.hookimpl
    def plugstack_inference_providers(self) -> list[ProviderSpec]:
        return [spec(Api.inference, "infer"), spec(Api.inference, "infer-needs-safety", deps=[Api.safety])]

    @plugstack.hookimpl
    def plugstack_safety_providers(self) -> list[ProviderSpec]:
        return [
            spec(Api.safety, "guard", deps=[Api.inference]),
            spec(Api.safety, "guard-optional", optional=[Api.vector_io]),
        ]

    @plugstack.hookimpl
    def plugstack_tool_runtime_providers(self) -> list[ProviderSpec]:
        return [spec(Api.tool_runtime, "tools", deps=[Api.models, Api.safety])]


@pytest.fixture
def graph_host(host: PluginHost) -> PluginHost:
    host.register(GraphPlugin(), name="graph")
    EVENTS.clear()
    return host


def entry(provider_id: str, name: str, **config: Any) -> dict[str, Any]:
    return {"provider_id": provider_id, "provider_type": f"inline::{name}", "config": {"name": provider_id, **config}}


async def test_providers_start_after_their_dependencies_and_stop_in_reverse(graph_host: PluginHost) -> None:
    config = {
        "distribution_name": "graph",
        "providers": {
            "tool_runtime": [entry("tools", "tools")],
            "safety": [entry("guard", "guard"), entry("guard2", "guard-optional")],
            "inference": [entry("infer", "infer")],
        },
    }
    async with await Stack.from_config(config, host=graph_host) as stack:
        tools = next(p.impl for p in stack.providers if p.provider_id == "tools")
        assert tools.deps[Api.models] is stack.models  # a routing-table dependency gets the table
        assert tools.deps[Api.safety] is stack.router(Api.safety)
    starts = [e for e in EVENTS if e.startswith("start")]
    assert starts.index("start infer deps=[]") < starts.index("start guard deps=['inference']")
    assert starts[-1] == "start tools deps=['models', 'safety']"
    assert "start guard2 deps=[]" in starts  # the optional vector_io dependency is absent
    stops = [e.removeprefix("stop ") for e in EVENTS if e.startswith("stop")]
    started = [e.split()[1] for e in starts]
    assert stops == list(reversed(started))


async def test_cycle_is_refused_before_anything_starts(graph_host: PluginHost) -> None:
    config = {
        "distribution_name": "cycle",
        "providers": {"inference": [entry("infer", "infer-needs-safety")], "safety": [entry("guard", "guard")]},
    }
    with pytest.raises(ResolverError, match="cycle"):
        await Stack.from_config(config, host=graph_host)
    assert EVENTS == []


async def test_missing_dependency_names_provider_and_api(graph_host: PluginHost) -> None:
    config = {"distribution_name": "missing", "providers": {"safety": [entry("guard", "guard")]}}
    with pytest.raises(ResolverError, match=r"'guard' \(inline::guard\) needs the inference API"):
        await Stack.from_config(config, host=graph_host)


async def test_unknown_provider_type_lists_the_available_ones(graph_host: PluginHost) -> None:
    config = {
        "distribution_name": "d",
        "providers": {"inference": [{"provider_id": "x", "provider_type": "remote::nope"}]},
    }
    with pytest.raises(ResolverError) as info:
        await Stack.from_config(config, host=graph_host)
    assert "providers.inference[0].provider_type: unknown inference provider 'remote::nope'" in str(info.value)
    assert "inline::echo" in str(info.value)


async def test_provider_with_empty_required_value_is_skipped(
    graph_host: PluginHost, caplog: pytest.LogCaptureFixture
) -> None:
    config = {
        "distribution_name": "d",
        "providers": {
            "inference": [
                {
                    "provider_id": "needs-key",
                    "provider_type": "inline::infer",
                    "config": {"name": "${env.NAME_UNSET:=}"},
                },
                {"provider_id": "", "provider_type": "inline::infer"},  # disabled by an empty id
                entry("infer", "infer"),
            ]
        },
    }
    async with await Stack.from_config(config, host=graph_host) as stack:
        assert [p.provider_id for p in stack.providers] == ["infer"]
    assert "providers.inference[0] (needs-key) skipped: required value empty: name" in caplog.text


async def test_invalid_provider_config_is_an_error_naming_the_path(graph_host: PluginHost) -> None:
    config = {"distribution_name": "d", "providers": {"inference": [entry("infer", "infer", required_value=["no"])]}}
    with pytest.raises(
        ResolverError, match=r"providers\.inference\[0\]\.config\.required_value: Input should be a valid string"
    ):
        await Stack.from_config(config, host=graph_host)


async def test_a_failing_provider_shuts_down_those_already_started(graph_host: PluginHost) -> None:
    config = {
        "distribution_name": "d",
        "providers": {"inference": [entry("infer", "infer")], "safety": [entry("guard", "guard", fail_on_start=True)]},
    }
    with pytest.raises(RuntimeError, match="guard cannot start"):
        await Stack.from_config(config, host=graph_host)
    assert EVENTS == ["start infer deps=[]", "stop infer"]


async def test_a_router_that_needs_another_api_is_refused_without_it(host: PluginHost) -> None:
    class Backend:
        @plugstack.hookimpl
        def plugstack_vector_io_providers(self) -> list[ProviderSpec]:
            return [spec(Api.vector_io, "backend")]  # declares no dependency of its own

    assert host.register(Backend(), name="backend")
    config = {"distribution_name": "no-inference", "providers": {"vector_io": [entry("store", "backend")]}}
    with pytest.raises(ResolverError) as info:
        await Stack.from_config(config, host=host)
    assert str(info.value) == (
        "the vector_io API (providers: store) needs the inference API, but the run config enables no inference provider"
    )
