"""Tool groups, tool listing and invocation, on the in-process ``inline::calculator`` tool runtime.

Library-mode tests call ``stack.tool_runtime``; HTTP tests run a real uvicorn server and
call ``/v1/toolgroups``, ``/v1/tools`` and ``/v1/tool-runtime/invoke`` with httpx (the
openai SDK has no client for these Llama Stack routes).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest

from plugstack.errors import BadRequestError, ConfigError, ConflictError, NotFoundError, ProviderError
from plugstack.plugins import PluginHost, new_plugin_host
from plugstack.server.background import BackgroundServer
from plugstack.stack import Stack
from plugstack.testing.calculator import CalculatorPlugin
from plugstack.testing.tool_conformance import ToolRuntimeConformance

CALCULATOR = {"provider_id": "calculator", "provider_type": "inline::calculator", "config": {}}


def tools_host() -> PluginHost:
    host = new_plugin_host()
    assert host.register(CalculatorPlugin(), name="calculator")
    return host


def config(tmp_path: Path, *, unreachable: list[str] | None = None, **resources: Any) -> dict[str, Any]:
    provider = {**CALCULATOR, "config": {"unreachable_groups": unreachable or []}}
    return {
        "distribution_name": "tools-test",
        "providers": {"tool_runtime": [provider]},
        "registered_resources": resources,
        "storage": {"kvstore": {"db_path": str(tmp_path / "kv.db")}},
    }


class TestCalculatorConformance(ToolRuntimeConformance):
    """The suite itself, on a deterministic tool runtime that needs no network."""

    toolgroup_id = "calc"
    tool_name = "add"
    tool_arguments: ClassVar[dict[str, Any]] = {"a": 2, "b": 3}
    expected_text = "5"

    @classmethod
    def run_config(cls) -> dict[str, Any]:
        return {"distribution_name": "calc-conformance", "providers": {"tool_runtime": [CALCULATOR]}}

    @classmethod
    def plugin_host(cls) -> PluginHost:
        return tools_host()


class TestCalculatorDivideConformance(TestCalculatorConformance):
    tool_name = "divide"
    tool_arguments: ClassVar[dict[str, Any]] = {"a": 6, "b": 4}
    expected_text = "1.5"
    failing_arguments: ClassVar[dict[str, Any] | None] = {"a": 1, "b": 0}


async def test_tools_of_every_group_and_of_one(tmp_path: Path) -> None:
    groups = [{"toolgroup_id": "calc2", "args": {"prefix": "c2_"}}]
    async with await Stack.from_config(config(tmp_path, tool_groups=groups), host=tools_host()) as stack:
        every = [(t.toolgroup_id, t.name) for t in (await stack.tool_runtime.list_tools()).data]
        assert every == [("calc", "add"), ("calc", "divide"), ("calc2", "c2_add"), ("calc2", "c2_divide")]
        assert [t.name for t in (await stack.tool_runtime.list_tools("calc2")).data] == ["c2_add", "c2_divide"]
        result = await stack.tool_runtime.invoke_tool(tool_name="c2_add", kwargs={"a": 40, "b": 2})
        assert (result.content, result.metadata) == ("42", {"group": "calc2"})


async def test_tool_lists_are_kept_until_a_tool_is_missing(tmp_path: Path) -> None:
    async with await Stack.from_config(config(tmp_path), host=tools_host()) as stack:
        calculator = stack.tool_groups.providers["calculator"]
        await stack.tool_runtime.list_tools()
        await stack.tool_runtime.invoke_tool(tool_name="add", kwargs={"a": 1, "b": 1})
        assert calculator.list_calls == 1
        with pytest.raises(NotFoundError, match="tool 'mul' not found; tools: add, divide"):
            await stack.tool_runtime.invoke_tool(tool_name="mul", kwargs={})
        assert calculator.list_calls == 2, "a miss lists the group again, in case its server gained the tool"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"a": 1}, "'b' is a required property"),
        ({"a": 1, "b": "two"}, "kwargs\\['b'\\]: 'two' is not of type 'integer'"),
        ({"a": 1, "b": 2, "c": 3}, "Additional properties"),
    ],
)
async def test_arguments_the_schema_refuses_are_a_400_before_the_provider(
    tmp_path: Path, kwargs: dict[str, Any], message: str
) -> None:
    async with await Stack.from_config(config(tmp_path), host=tools_host()) as stack:
        with pytest.raises(BadRequestError, match=message) as caught:
            await stack.tool_runtime.invoke_tool(tool_name="add", kwargs=kwargs)
        assert caught.value.param is not None and caught.value.param.startswith("kwargs")


async def test_a_group_that_is_down_is_left_out_of_every_tool_but_named_alone(tmp_path: Path) -> None:
    groups = [{"toolgroup_id": "remote-calc"}]
    cfg = config(tmp_path, unreachable=["remote-calc"], tool_groups=groups)
    async with await Stack.from_config(cfg, host=tools_host()) as stack:
        assert {t.toolgroup_id for t in (await stack.tool_runtime.list_tools()).data} == {"calc"}
        with pytest.raises(ProviderError, match="remote-calc") as caught:
            await stack.tool_runtime.list_tools("remote-calc")
        assert caught.value.status_code == 503


async def test_a_registered_group_survives_a_restart_and_is_released_when_unregistered(tmp_path: Path) -> None:
    async with await Stack.from_config(config(tmp_path), host=tools_host()) as stack:
        group = await stack.tool_runtime.register_tool_group(toolgroup_id="mine", args={"prefix": "m_"})
        assert group.provider_id == "calculator"
        assert stack.tool_groups.providers["calculator"].registered == [group]
    async with await Stack.from_config(config(tmp_path), host=tools_host()) as stack:
        assert [t.name for t in (await stack.tool_runtime.list_tools("mine")).data] == ["m_add", "m_divide"]
        await stack.tool_runtime.unregister_tool_group("mine")
        assert stack.tool_groups.providers["calculator"].released == ["mine"]
        with pytest.raises(NotFoundError, match="m_add"):
            await stack.tool_runtime.invoke_tool(tool_name="m_add", kwargs={"a": 1, "b": 2})


async def test_the_provider_checks_a_groups_args(tmp_path: Path) -> None:
    async with await Stack.from_config(config(tmp_path), host=tools_host()) as stack:
        with pytest.raises(BadRequestError, match=r"args\.prefix"):
            await stack.tool_runtime.register_tool_group(toolgroup_id="bad", args={"prefix": 3})
        assert [g.id for g in stack.tool_groups.list()] == ["calc"]


async def test_a_group_for_an_unknown_provider_is_a_404(tmp_path: Path) -> None:
    async with await Stack.from_config(config(tmp_path), host=tools_host()) as stack:
        with pytest.raises(NotFoundError, match="provider 'nope' not found; providers: \\['calculator'\\]"):
            await stack.tool_runtime.register_tool_group(toolgroup_id="x", provider_id="nope")


# -- over HTTP -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundServer]:
    with BackgroundServer(config(tmp_path_factory.mktemp("tools-http")), host=tools_host()) as running:
        yield running


def test_toolgroups_routes_redact_secret_args(server: BackgroundServer) -> None:
    base = f"{server.base_url}/toolgroups"
    secret = "sk-live-0123456789abcdef"
    created = httpx.post(
        base,
        json={
            "toolgroup_id": "secretive",
            "mcp_endpoint": {"uri": "http://127.0.0.1:9/mcp"},
            "args": {"prefix": "s_", "headers": {"Authorization": f"Bearer {secret}"}, "api_key": secret},
        },
    )
    assert created.status_code == 200, created.text
    for shown in (created.text, httpx.get(base).text, httpx.get(f"{base}/secretive").text):
        assert secret not in shown
    assert httpx.get(f"{base}/secretive").json()["mcp_endpoint"] == {"uri": "http://127.0.0.1:9/mcp"}
    # the provider got the real args
    stored = server.stack.tool_groups.providers["calculator"].registered[-1]
    assert stored.args["api_key"] == secret
    assert httpx.post(base, json={"toolgroup_id": "secretive"}).status_code == 409
    assert httpx.delete(f"{base}/secretive").status_code == 200
    assert httpx.get(f"{base}/secretive").status_code == 404


def test_tools_routes(server: BackgroundServer) -> None:
    listed = httpx.get(f"{server.base_url}/tools").json()
    assert listed["object"] == "list"
    add = next(t for t in listed["data"] if t["name"] == "add")
    assert add["parameters"]["required"] == ["a", "b"] and add["toolgroup_id"] == "calc"
    assert httpx.get(f"{server.base_url}/tools", params={"toolgroup_id": "calc"}).json()["data"][1]["name"] == "divide"
    assert httpx.get(f"{server.base_url}/tools/add").json()["description"] == "Add two integers."
    assert httpx.get(f"{server.base_url}/tools/nope").status_code == 404
    assert httpx.get(f"{server.base_url}/tools", params={"toolgroup_id": "nope"}).status_code == 404


def test_invoke_route(server: BackgroundServer) -> None:
    url = f"{server.base_url}/tool-runtime/invoke"
    answered = httpx.post(url, json={"tool_name": "divide", "kwargs": {"a": 1, "b": 4}})
    assert answered.status_code == 200
    assert answered.json()["content"] == [{"type": "text", "text": "0.25"}]
    failed = httpx.post(url, json={"tool_name": "divide", "kwargs": {"a": 1, "b": 0}})
    assert failed.status_code == 200 and failed.json()["error_message"] == "division by zero"
    refused = httpx.post(url, json={"tool_name": "add", "kwargs": {"a": "x", "b": 1}})
    assert refused.status_code == 400
    assert refused.json()["error"]["type"] == "invalid_request_error" and "'x'" in refused.json()["error"]["message"]
    unknown = httpx.post(url, json={"tool_name": "nope", "kwargs": {}})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "tool_not_found"
    malformed = httpx.post(url, json={"kwargs": {}})
    assert malformed.status_code == 400 and malformed.json()["error"]["param"] == "tool_name"


async def test_two_providers_listing_one_group_id_stop_the_start(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    cfg["providers"]["tool_runtime"].append({**CALCULATOR, "provider_id": "calculator-2"})
    with pytest.raises(
        ConfigError, match="provider 'calculator-2' lists tool group 'calc', which provider 'calculator'"
    ):
        await Stack.from_config(cfg, host=tools_host())


async def test_a_configured_group_may_not_take_a_listed_id(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"registered_resources\.tool_groups\[0\] declares tool group 'calc'"):
        await Stack.from_config(config(tmp_path, tool_groups=[{"toolgroup_id": "calc"}]), host=tools_host())


async def test_a_tool_name_two_groups_serve_is_refused_not_guessed(tmp_path: Path) -> None:
    groups = [{"toolgroup_id": "calc-again"}]  # no prefix: the same tool names as calc
    async with await Stack.from_config(config(tmp_path, tool_groups=groups), host=tools_host()) as stack:
        with pytest.raises(ConflictError, match="tool 'add' is served by tool groups 'calc', 'calc-again'"):
            await stack.tool_runtime.invoke_tool(tool_name="add", kwargs={"a": 1, "b": 2})
