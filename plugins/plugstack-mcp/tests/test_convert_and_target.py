"""The SDK-free pieces: MCP wire shapes to plugstack types, and reading a group's args."""

from __future__ import annotations

import pytest
from plugstack_mcp.convert import content_part, tool_def, tool_result
from plugstack_mcp.target import public_url, target_of

from plugstack.apis.tool_groups.types import McpEndpoint, ToolGroup
from plugstack.errors import BadRequestError


def group(uri: str | None = None, **args: object) -> ToolGroup:
    return ToolGroup(id="g", mcp_endpoint=McpEndpoint(uri=uri) if uri else None, args=args)


def test_a_tool_without_a_schema_type_gets_an_object_schema() -> None:
    tool = tool_def({"name": "now", "title": "The time", "inputSchema": {"properties": {}}}, "clock")
    assert tool.parameters == {"type": "object", "properties": {}}
    assert tool.description == "The time"
    assert tool.metadata == {"title": "The time"}
    assert tool.toolgroup_id == "clock"


def test_error_results_keep_their_content_and_say_why() -> None:
    result = tool_result({"content": [{"type": "text", "text": "no such city"}], "isError": True}, "weather")
    assert result.error_message == "no such city"
    assert result.content == [{"type": "text", "text": "no such city"}]
    silent = tool_result({"content": [], "isError": True}, "weather")
    assert silent.error_message == "tool 'weather' failed"


def test_every_content_block_type_is_mapped() -> None:
    assert content_part({"type": "audio", "data": "AAA=", "mimeType": "audio/wav"}) == {
        "type": "audio",
        "data": "AAA=",
        "mime_type": "audio/wav",
    }
    text_resource = {"type": "resource", "resource": {"uri": "file:///a.txt", "mimeType": "text/plain", "text": "hi"}}
    assert content_part(text_resource) == {
        "type": "resource",
        "uri": "file:///a.txt",
        "mime_type": "text/plain",
        "text": "hi",
    }
    link = content_part({"type": "resource_link", "uri": "file:///b", "name": "b"})
    assert (link["type"], link["uri"], link["name"]) == ("resource_link", "file:///b", "b")
    assert content_part({"type": "hologram", "x": 1}) == {"type": "hologram", "x": 1}


def test_the_transport_follows_the_args_or_the_endpoint() -> None:
    assert target_of(group("http://h:1/mcp")).transport == "streamable_http"
    assert target_of(group("http://h:1/sse")).transport == "sse"
    assert target_of(group("http://h:1/sse", transport="streamable-http")).transport == "streamable_http"
    stdio = target_of(group(command="uvx", args=["mcp-server-time"], env={"TZ": "UTC"}))
    assert (stdio.transport, stdio.command, stdio.args, stdio.env) == (
        "stdio",
        "uvx",
        ("mcp-server-time",),
        (("TZ", "UTC"),),
    )


@pytest.mark.parametrize(
    ("uri", "args", "complaint"),
    [
        (None, {}, "mcp_endpoint.uri"),
        ("ftp://h/x", {}, "http or https"),
        ("http://h/mcp", {"transport": "smoke-signals"}, "args.transport"),
        ("http://h/mcp", {"headers": {"Authorization": 42}}, "args.headers"),
        ("http://h/mcp", {"timeout": 0}, "args.timeout"),
        ("http://h/mcp", {"hedaers": {}}, "unknown args"),
        (None, {"transport": "stdio"}, "args.command"),
        (None, {"transport": "stdio", "command": "x", "args": "--flag"}, "args.args"),
    ],
)
def test_args_that_describe_no_server_are_a_400(uri: str | None, args: dict[str, object], complaint: str) -> None:
    with pytest.raises(BadRequestError) as error:
        target_of(group(uri, **args))
    assert complaint in error.value.message
    assert "tool group 'g'" in error.value.message


def test_what_messages_show_of_a_target_holds_no_credentials() -> None:
    target = target_of(
        group(
            "https://bob:hunter22@mcp.example.com:8443/mcp?token=abcdef123",
            headers={"Authorization": "Bearer tok-123456"},
        )
    )
    assert target.describe() == "https://mcp.example.com:8443/mcp"
    assert set(target.secrets()) >= {"hunter22", "abcdef123", "Bearer tok-123456", "tok-123456"}
    assert "tok-123456" not in repr(target)
    assert public_url("http://127.0.0.1:9/x#frag") == "http://127.0.0.1:9/x"
