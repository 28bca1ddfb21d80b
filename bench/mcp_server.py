"""The MCP server the safety-and-tools benchmark calls: one cheap tool, over streamable HTTP.

``python -m bench.mcp_server --port PORT`` serves ``add(a, b)`` on 127.0.0.1:PORT/mcp, so that
what the benchmark measures is the transport and plugstack, not the tool.
"""

from __future__ import annotations

import argparse

from mcp.server.mcpserver import MCPServer

__all__ = ["main"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    server = MCPServer("plugstack-bench", log_level="WARNING")

    @server.tool()
    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    server.run("streamable-http", host="127.0.0.1", port=args.port)


if __name__ == "__main__":
    main()
