"""A plugin defines a whole API, with no change to the core, and the stack serves it.

Everything the ``greetings`` API needs is in this module: its types, the Protocol its
providers implement, its registration hookspec, its router (over a ``ResourceTable`` of
greeting styles, registered from the run config) and its HTTP route. The plugin returns
the definition from ``plugstack_apis`` and offers a provider for it through the hook it
defined.
"""

# mypy: disable-error-code="empty-body"
from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import httpx
import pytest
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

import plugstack
from plugstack.apis.definition import ApiDefinition, RouterContext
from plugstack.errors import ConfigError, NotFoundError, ResolverError
from plugstack.hookspecs import hookspec
from plugstack.plugins import PluginHost, new_plugin_host
from plugstack.provider_spec import ProviderSpec
from plugstack.resource_table import ResourceTable
from plugstack.server.background import BackgroundServer
from plugstack.server.routing import ApiRoute, json_response, read_body
from plugstack.stack import Stack
from plugstack.testing.echo import EchoPlugin

# -- the API ------------------------------------------------------------------------------


class GreetingStyle(BaseModel):
    id: str
    provider_id: str = ""
    provider_resource_id: str = ""
    template: str = "Hello, {name}!"


class GreetRequest(BaseModel):
    name: str
    style: str = "plain"


class Greeting(BaseModel):
    greeting: str
    provider_id: str


class Greeter(Protocol):
    async def greet(self, name: str, template: str) -> str: ...


@hookspec
def plugstack_greetings_providers() -> list[ProviderSpec]:
    """Return the greeters this plugin offers. Called once, when the provider registry is built."""


class GreetingsRouter:
    def __init__(self, styles: ResourceTable[GreetingStyle]) -> None:
        self.styles = styles

    async def greet(self, request: GreetRequest) -> Greeting:
        style = self.styles.get(request.style)
        text = await self.styles.provider(style).greet(request.name, style.template)
        return Greeting(greeting=text, provider_id=style.provider_id)


async def build_greetings(context: RouterContext) -> dict[str, object]:
    styles = ResourceTable(
        "greeting style", GreetingStyle, context.providers, context.kvstore, key_prefix="styles/", id_param="style"
    )
    for raw in context.resources["greeting_styles"]:
        style = GreetingStyle.model_validate(raw)
        styles.add(style.model_copy(update={"provider_id": styles.provider_id_for(style.provider_id or None)}))
    return {"greetings": GreetingsRouter(styles)}


def greeting_routes(stack: Stack) -> list[ApiRoute]:
    async def greet(request: Request) -> Response:
        return json_response(await stack.greetings.greet(await read_body(request, GreetRequest)))

    return [
        ApiRoute(
            "/v1/greetings",
            greet,
            method="POST",
            summary="Greet someone",
            tag="greetings",
            request_model=GreetRequest,
            response_model=Greeting,
        )
    ]


GREETINGS = ApiDefinition(
    name="greetings",
    description="greetings in registered styles, routed by style",
    hookspecs=__name__,
    registration_hook="plugstack_greetings_providers",
    protocol=f"{__name__}:Greeter",
    router=f"{__name__}:build_greetings",
    routes=f"{__name__}:greeting_routes",
    resources=("greeting_styles",),
)

# -- a plugin that defines the API and a provider for it ------------------------------------


class GreeterConfig(BaseModel):
    punctuation: str = ""


class LoudGreeter:
    def __init__(self, config: GreeterConfig, provider_id: str) -> None:
        self.config = config
        self.provider_id = provider_id

    async def greet(self, name: str, template: str) -> str:
        return template.format(name=name.upper()) + self.config.punctuation


class Mute:
    """Lacks ``greet``: the stack must refuse it."""

    def __init__(self, config: GreeterConfig, context: Any) -> None: ...


def make_loud(config: GreeterConfig, context: Any) -> LoudGreeter:
    return LoudGreeter(config, context.provider_id)


def spec(provider_type: str, factory: str) -> ProviderSpec:
    return ProviderSpec(
        api="greetings",
        provider_type=provider_type,
        config_class=f"{__name__}:GreeterConfig",
        adapter_factory=f"{__name__}:{factory}",
    )


class GreetingsPlugin:
    @plugstack.hookimpl
    def plugstack_apis(self) -> list[ApiDefinition]:
        return [GREETINGS]

    @plugstack.hookimpl
    def plugstack_greetings_providers(self) -> list[ProviderSpec]:
        return [spec("inline::loud", "make_loud"), spec("inline::mute", "Mute")]


@pytest.fixture
def greetings_host() -> PluginHost:
    host = new_plugin_host()
    assert host.register(GreetingsPlugin(), name="greetings"), host.failures
    assert host.register(EchoPlugin(), name="echo")
    return host


def config(tmp_path: Path, provider_type: str = "inline::loud", **extra: Any) -> dict[str, Any]:
    return {
        "distribution_name": "greetings-test",
        "providers": {
            "greetings": [{"provider_id": "shouter", "provider_type": provider_type, "config": {"punctuation": "!!"}}]
        },
        "registered_resources": {
            "greeting_styles": [{"id": "plain"}, {"id": "formal", "template": "Good day, {name}"}]
        },
        "storage": {"kvstore": {"db_path": str(tmp_path / "kv.db")}},
        **extra,
    }


# -- the tests --------------------------------------------------------------------------------


def test_the_plugins_api_joins_the_registry_with_its_hook(greetings_host: PluginHost) -> None:
    assert "greetings" in greetings_host.apis
    assert hasattr(greetings_host.pm.hook, "plugstack_greetings_providers")
    assert set(greetings_host.providers()["greetings"]) == {"inline::loud", "inline::mute"}


async def test_library_mode_routes_to_the_provider_with_the_registered_style(
    greetings_host: PluginHost, tmp_path: Path
) -> None:
    async with await Stack.from_config(config(tmp_path), host=greetings_host) as stack:
        formal = await stack.greetings.greet(GreetRequest(name="ada", style="formal"))
        assert formal == Greeting(greeting="Good day, ADA!!", provider_id="shouter")
        with pytest.raises(NotFoundError, match="greeting style 'casual' not found"):
            await stack.router("greetings").greet(GreetRequest(name="ada", style="casual"))


def test_the_server_serves_the_api_and_documents_it(greetings_host: PluginHost, tmp_path: Path) -> None:
    with BackgroundServer(config(tmp_path), host=greetings_host) as server:
        reply = httpx.post(server.base_url + "/greetings", json={"name": "grace"})
        assert reply.status_code == 200 and reply.json() == {"greeting": "Hello, GRACE!!!", "provider_id": "shouter"}
        bad = httpx.post(server.base_url + "/greetings", json={"nom": "grace"})
        assert bad.status_code == 400 and bad.json()["error"]["param"] == "name"
        document = httpx.get(server.url + "/openapi.json").json()
        assert document["paths"]["/v1/greetings"]["post"]["operationId"] == "greetings_greet"
        providers = httpx.get(server.base_url + "/providers").json()["data"]
        assert {"provider_id": "shouter", "api": "greetings", "provider_type": "inline::loud"}.items() <= providers[
            0
        ].items()


async def test_a_provider_lacking_a_protocol_method_is_refused_before_start(
    greetings_host: PluginHost, tmp_path: Path
) -> None:
    with pytest.raises(ResolverError) as info:
        await Stack.from_config(config(tmp_path, provider_type="inline::mute"), host=greetings_host)
    assert str(info.value) == (
        "provider 'shouter' (inline::mute, plugin 'greetings') does not implement the greetings API: Mute lacks greet"
    )


async def test_resources_no_api_accepts_are_a_start_up_error(greetings_host: PluginHost, tmp_path: Path) -> None:
    broken = config(tmp_path)
    broken["registered_resources"]["widgets"] = [{"widget_id": "w1"}]
    with pytest.raises(ConfigError, match=r"registered_resources\.widgets: no installed API registers 'widgets'"):
        await Stack.from_config(broken, host=greetings_host)


def test_a_second_definition_of_a_name_is_refused_and_the_plugin_skipped(greetings_host: PluginHost) -> None:
    class Impostor:
        @plugstack.hookimpl
        def plugstack_apis(self) -> list[ApiDefinition]:
            return [ApiDefinition(name="inference", description="a second inference")]

    assert not greetings_host.register(Impostor(), name="impostor")
    assert "API 'inference' is already defined" in greetings_host.failures[-1].error
    assert greetings_host.apis["inference"].description != "a second inference"
