"""A small MCP server for the tests, on the mcp SDK's MCPServer (mcp 1.x called it FastMCP).

``python mcp_test_server.py stdio`` serves it over stdio (the stdio tests launch it so);
``python mcp_test_server.py http PORT`` over streamable HTTP on 127.0.0.1:PORT/mcp. The
HTTP tests serve :func:`build_server` in a thread instead (see ``conftest.py``).
"""

from __future__ import annotations

import asyncio
import os
import sys

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.utilities.types import Image
from mcp_types import ToolAnnotations

# A 1x1 transparent PNG: enough for an image content part.
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def build_server() -> MCPServer:
    """A fresh server (an MCPServer's HTTP session manager runs once: a restart needs a new one)."""
    server = MCPServer("plugstack-test", log_level="WARNING")

    @server.tool(annotations=ToolAnnotations(read_only_hint=True, idempotent_hint=True))
    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    @server.tool()
    def divide(a: int, b: int) -> float:
        """Divide a by b; fails (isError) when b is 0."""
        if b == 0:
            raise ToolError("division by zero")
        return a / b

    @server.tool()
    def echo(text: str) -> str:
        """Answer the text unchanged."""
        return text

    @server.tool()
    def fail(reason: str = "it failed") -> str:
        """Always fails, with ``reason`` as the error."""
        raise ToolError(reason)

    @server.tool()
    def image() -> Image:
        """A 1x1 PNG."""
        return Image(data=PNG_1X1, format="png")

    @server.tool()
    def header(name: str, ctx: Context) -> str:
        """The value of the HTTP request header ``name`` (empty when absent, and over stdio)."""
        headers = ctx.headers or {}
        return str(headers.get(name.lower(), ""))

    @server.tool()
    def pid() -> int:
        """The server's process id: which process (and so which stdio session) answered."""
        return os.getpid()

    @server.tool()
    async def sleep(seconds: float) -> str:
        """Answer after ``seconds``: a slow tool, for timeouts."""
        await asyncio.sleep(seconds)
        return "slept"

    return server


if __name__ == "__main__":
    if sys.argv[1:2] == ["http"]:
        build_server().run("streamable-http", host="127.0.0.1", port=int(sys.argv[2]))
    else:
        build_server().run("stdio")
