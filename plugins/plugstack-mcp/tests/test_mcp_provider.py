"""The provider against real MCP servers: results, headers, sessions, failures and their errors.

Each test talks to the test server of ``mcp_test_server.py``, over streamable HTTP on
127.0.0.1 (uvicorn in a thread), over HTTP+SSE, or over stdio (a child process).
"""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import socket
import time
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import pytest
from plugstack_mcp.adapter import McpToolRuntime
from plugstack_mcp.config import McpConfig

from plugstack.apis.tool_groups.types import McpEndpoint, ToolGroup
from plugstack.errors import AuthenticationError, BadRequestError, ProviderError
from plugstack.stack import Stack
from plugstack.testing.ports import refused_url

if TYPE_CHECKING:
    from conftest import HttpMcpServer

SECRET = "sk-test-0123456789abcdef"


@pytest.fixture
async def provider() -> AsyncIterator[McpToolRuntime]:
    runtime = McpToolRuntime(McpConfig(connect_timeout=2, timeout=10), provider_id="mcp")
    yield runtime
    await runtime.shutdown()


@pytest.fixture
def black_hole() -> Iterator[str]:
    """A URL whose socket accepts connections and never answers: a hung server."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/mcp"


def http_group(url: str, group_id: str = "tools", **args: Any) -> ToolGroup:
    return ToolGroup(id=group_id, provider_id="mcp", mcp_endpoint=McpEndpoint(uri=url), args=args)


def text(result: Any) -> str:
    return "".join(part.get("text", "") for part in result.content)


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def wait_until_gone(pid: int, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while process_exists(pid):
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


# --- what the tools answer ---------------------------------------------------------


async def test_tools_are_listed_with_schemas_and_annotations(
    provider: McpToolRuntime, mcp_http_server: HttpMcpServer
) -> None:
    tools = {tool.name: tool for tool in await provider.list_tools(http_group(mcp_http_server.url))}
    assert {"add", "echo", "fail", "image", "header"} <= set(tools)
    add = tools["add"]
    assert add.description == "Add two integers."
    assert add.parameters["required"] == ["a", "b"]
    assert add.parameters["properties"]["a"]["type"] == "integer"
    assert add.metadata["annotations"] == {"readOnlyHint": True, "idempotentHint": True}
    assert add.toolgroup_id == "tools"
    assert tools["image"].parameters["type"] == "object"


async def test_a_call_answers_text_and_structured_content(
    provider: McpToolRuntime, mcp_http_server: HttpMcpServer
) -> None:
    result = await provider.invoke_tool(http_group(mcp_http_server.url), "add", {"a": 2, "b": 40})
    assert result.error_message is None
    assert result.content == [{"type": "text", "text": "42"}]
    assert result.metadata["structured_content"] == {"result": 42}


async def test_an_image_comes_as_an_image_part(provider: McpToolRuntime, mcp_http_server: HttpMcpServer) -> None:
    result = await provider.invoke_tool(http_group(mcp_http_server.url), "image", {})
    assert isinstance(result.content, list)
    [part] = result.content
    assert part["type"] == "image"
    assert part["mime_type"] == "image/png"
    assert base64.b64decode(part["data"]).startswith(b"\x89PNG\r\n\x1a\n")


async def test_a_tool_that_raises_answers_with_its_error(
    provider: McpToolRuntime, mcp_http_server: HttpMcpServer
) -> None:
    result = await provider.invoke_tool(http_group(mcp_http_server.url), "fail", {"reason": "the disk is on fire"})
    assert result.error_message is not None
    assert "the disk is on fire" in result.error_message
    assert "the disk is on fire" in text(result)


# --- headers and secrets -----------------------------------------------------------


async def test_headers_of_the_group_reach_the_server(provider: McpToolRuntime, mcp_http_server: HttpMcpServer) -> None:
    group = http_group(mcp_http_server.url, headers={"Authorization": f"Bearer {SECRET}", "X-Probe": "probe-1"})
    assert text(await provider.invoke_tool(group, "header", {"name": "authorization"})) == f"Bearer {SECRET}"
    assert text(await provider.invoke_tool(group, "header", {"name": "x-probe"})) == "probe-1"


async def test_changed_args_open_a_new_session_with_them(
    provider: McpToolRuntime, mcp_http_server: HttpMcpServer
) -> None:
    first = http_group(mcp_http_server.url, headers={"X-Probe": "one"})
    assert text(await provider.invoke_tool(first, "header", {"name": "x-probe"})) == "one"
    second = http_group(mcp_http_server.url, headers={"X-Probe": "two"})
    assert text(await provider.invoke_tool(second, "header", {"name": "x-probe"})) == "two"


async def test_secrets_stay_out_of_errors_and_logs(
    provider: McpToolRuntime, caplog: pytest.LogCaptureFixture, stdio_args: dict[str, Any]
) -> None:
    caplog.set_level(logging.DEBUG)
    down = refused_url().replace("http://", f"http://user:{SECRET}@") + f"/mcp?token={SECRET}"
    group = http_group(down, group_id="down", headers={"Authorization": f"Bearer {SECRET}"})
    with pytest.raises(ProviderError) as http_error:
        await provider.list_tools(group)
    crashing = ToolGroup(
        id="crash",
        args={**stdio_args, "args": ["-c", "import sys; sys.exit(3)"], "env": {"API_TOKEN": SECRET}},
    )
    with pytest.raises(ProviderError) as stdio_error:
        await provider.list_tools(crashing)
    for error in (http_error.value, stdio_error.value):
        assert SECRET not in str(error.to_dict())
    assert "tool group 'down'" in http_error.value.message
    assert SECRET not in caplog.text


async def test_a_server_refusing_the_credentials_is_a_401(
    guarded_server: HttpMcpServer, provider: McpToolRuntime
) -> None:
    wrong = http_group(guarded_server.url, group_id="guarded", headers={"Authorization": f"Bearer {SECRET}"})
    with pytest.raises(AuthenticationError, match="tool group 'guarded'") as error:
        await provider.list_tools(wrong)
    assert SECRET not in str(error.value.to_dict())
    right = http_group(
        guarded_server.url, group_id="guarded", headers={"Authorization": "Bearer sk-test-guarded-123456"}
    )
    assert text(await provider.invoke_tool(right, "add", {"a": 1, "b": 2})) == "3"


# --- one session per group, reused and reopened ------------------------------------


async def test_calls_reuse_one_stdio_process_and_a_killed_one_is_launched_again(
    provider: McpToolRuntime, stdio_args: dict[str, Any]
) -> None:
    group = ToolGroup(id="stdio", args=stdio_args)
    pid = int(text(await provider.invoke_tool(group, "pid", {})))
    session = provider._sessions["stdio"]
    results = await asyncio.gather(*(provider.invoke_tool(group, "pid", {}) for _ in range(5)))
    assert {int(text(r)) for r in results} == {pid}, "each call must reuse the one session (and process)"
    assert provider._sessions["stdio"] is session
    assert pid != os.getpid()
    os.kill(pid, 9)
    assert await wait_until_gone(pid)
    relaunched = int(text(await provider.invoke_tool(group, "pid", {})))
    assert relaunched != pid
    assert text(await provider.invoke_tool(group, "add", {"a": 1, "b": 2})) == "3"


async def test_a_restarted_http_server_is_reconnected(
    provider: McpToolRuntime, restartable_server: HttpMcpServer
) -> None:
    group = http_group(restartable_server.url)
    assert text(await provider.invoke_tool(group, "add", {"a": 1, "b": 1})) == "2"
    restartable_server.stop()
    with pytest.raises(ProviderError) as down:
        await provider.invoke_tool(group, "add", {"a": 1, "b": 1})
    assert down.value.status_code == 503
    restartable_server.start()
    assert text(await provider.invoke_tool(group, "add", {"a": 1, "b": 2})) == "3"
    # restarted while nobody called: the first call after it succeeds too
    restartable_server.stop()
    restartable_server.start()
    assert text(await provider.invoke_tool(group, "add", {"a": 2, "b": 2})) == "4"


async def test_unregister_closes_the_session(
    provider: McpToolRuntime, stdio_args: dict[str, Any], mcp_http_server: HttpMcpServer
) -> None:
    stdio = ToolGroup(id="stdio", args=stdio_args)
    http = http_group(mcp_http_server.url, group_id="http")
    pid = int(text(await provider.invoke_tool(stdio, "pid", {})))
    await provider.list_tools(http)
    assert (await provider.health())["open_sessions"] == ["http", "stdio"]
    await provider.unregister_tool_group(stdio)
    assert await wait_until_gone(pid), "the stdio server still runs after its group was unregistered"
    await provider.unregister_tool_group(http)
    assert (await provider.health())["open_sessions"] == []


async def test_shutdown_closes_every_session(stdio_args: dict[str, Any], mcp_http_server: HttpMcpServer) -> None:
    provider = McpToolRuntime(McpConfig(), provider_id="mcp")
    pid = int(text(await provider.invoke_tool(ToolGroup(id="stdio", args=stdio_args), "pid", {})))
    await provider.list_tools(http_group(mcp_http_server.url))
    assert len((await provider.health())["open_sessions"]) == 2
    await provider.shutdown()
    assert await wait_until_gone(pid)
    assert (await provider.health())["open_sessions"] == []


# --- servers that are down, hung or slow -------------------------------------------


async def test_a_server_that_is_down_is_a_503_naming_the_group_at_once(provider: McpToolRuntime) -> None:
    group = http_group(refused_url() + "/mcp", group_id="weather")
    start = time.monotonic()
    with pytest.raises(ProviderError) as error:
        await provider.invoke_tool(group, "add", {"a": 1, "b": 2})
    assert time.monotonic() - start < 2
    assert error.value.status_code == 503
    assert "tool group 'weather'" in error.value.message
    assert error.value.to_dict()["error"]["code"] == "tool_group_unavailable"


async def test_a_server_that_never_answers_is_a_503_within_the_connect_timeout(
    provider: McpToolRuntime, black_hole: str
) -> None:
    group = http_group(black_hole, group_id="hung", connect_timeout=0.5)
    start = time.monotonic()
    with pytest.raises(ProviderError) as error:
        await provider.list_tools(group)
    assert time.monotonic() - start < 2
    assert error.value.status_code == 503
    assert "tool group 'hung'" in error.value.message
    assert "0.5s" in error.value.message


async def test_a_slow_tool_is_a_504_and_the_session_survives_it(
    provider: McpToolRuntime, mcp_http_server: HttpMcpServer
) -> None:
    group = http_group(mcp_http_server.url, group_id="slow", timeout=0.3)
    start = time.monotonic()
    with pytest.raises(ProviderError) as error:
        await provider.invoke_tool(group, "sleep", {"seconds": 5})
    assert time.monotonic() - start < 2
    assert error.value.status_code == 504
    assert "tool group 'slow'" in error.value.message
    session = provider._sessions["slow"]
    assert text(await provider.invoke_tool(group, "add", {"a": 1, "b": 2})) == "3"
    assert provider._sessions["slow"] is session


async def test_a_stdio_command_that_does_not_exist_is_a_503_naming_the_group(provider: McpToolRuntime) -> None:
    group = ToolGroup(id="missing", args={"transport": "stdio", "command": "/nonexistent/mcp-server"})
    with pytest.raises(ProviderError) as error:
        await provider.list_tools(group)
    assert error.value.status_code == 503
    assert "tool group 'missing'" in error.value.message


# --- registration ------------------------------------------------------------------


async def test_registration_refuses_args_that_describe_no_server(provider: McpToolRuntime) -> None:
    with pytest.raises(BadRequestError, match=r"tool group 'nowhere'.*mcp_endpoint\.uri"):
        await provider.register_tool_group(ToolGroup(id="nowhere"))
    with pytest.raises(BadRequestError, match=r"args\.transport"):
        await provider.register_tool_group(ToolGroup(id="odd", args={"transport": "carrier-pigeon"}))


async def test_registration_checks_that_the_server_lists_its_tools(
    provider: McpToolRuntime, mcp_http_server: HttpMcpServer
) -> None:
    await provider.register_tool_group(http_group(mcp_http_server.url))
    assert "tools" in (await provider.health())["open_sessions"]  # kept open for the calls to come
    with pytest.raises(ProviderError, match="tool group 'down'") as error:
        await provider.register_tool_group(http_group(refused_url() + "/mcp", group_id="down"))
    assert error.value.status_code == 503


async def test_lenient_registration_warns_and_connects_on_first_use(
    caplog: pytest.LogCaptureFixture, restartable_server: HttpMcpServer
) -> None:
    provider = McpToolRuntime(McpConfig(check_on_register="warn"), provider_id="mcp")
    try:
        restartable_server.stop()
        group = http_group(restartable_server.url, group_id="later")
        with caplog.at_level(logging.WARNING, logger="plugstack.mcp"):
            await provider.register_tool_group(group)
        assert "tool group 'later' registered, but not usable yet" in caplog.text
        restartable_server.start()
        assert text(await provider.invoke_tool(group, "add", {"a": 1, "b": 2})) == "3"
        with pytest.raises(BadRequestError):  # bad args are refused whatever the mode
            await provider.register_tool_group(ToolGroup(id="nowhere"))
    finally:
        await provider.shutdown()


async def test_a_run_config_naming_an_unreachable_server_does_not_start() -> None:
    config = {
        "distribution_name": "mcp-down",
        "providers": {"tool_runtime": [{"provider_id": "mcp", "provider_type": "remote::model-context-protocol"}]},
        "registered_resources": {"tool_groups": [{"toolgroup_id": "gone", "mcp_endpoint": {"uri": refused_url()}}]},
    }
    with pytest.raises(ProviderError, match="tool group 'gone'"):
        await Stack.from_config(config)


# --- the older HTTP+SSE transport --------------------------------------------------


async def test_the_sse_transport_works_with_headers(sse_server: HttpMcpServer, provider: McpToolRuntime) -> None:
    group = http_group(sse_server.url, group_id="sse", headers={"X-Probe": "over-sse"})
    assert "add" in [tool.name for tool in await provider.list_tools(group)]
    assert text(await provider.invoke_tool(group, "header", {"name": "x-probe"})) == "over-sse"
