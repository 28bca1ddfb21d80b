"""Where a tool group's MCP server is and how to talk to it, read from the group once.

Kept free of the mcp SDK so that checking a group's args (and the tests of that) needs no
SDK. A :class:`McpTarget` is hashable: a group whose target changed gets a new session.
"""

from __future__ import annotations

import hashlib
import json
import shlex
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from plugstack.apis.tool_groups.types import ToolGroup
from plugstack.errors import BadRequestError

__all__ = ["McpTarget", "Transport", "public_url", "target_of"]

Transport = Literal["streamable_http", "sse", "stdio"]

_TRANSPORT_NAMES: dict[str, Transport] = {
    "streamable_http": "streamable_http",
    "streamable-http": "streamable_http",
    "http": "streamable_http",
    "sse": "sse",
    "stdio": "stdio",
}
_MIN_SECRET = 6
_KNOWN_ARGS = frozenset({"transport", "headers", "command", "args", "env", "cwd", "timeout", "connect_timeout"})


@dataclass(frozen=True)
class McpTarget:
    """One MCP server: a URL (streamable HTTP or SSE) or a command (stdio), and its timeouts.

    ``headers`` and ``env`` may hold credentials: :meth:`describe` (what logs and errors
    show) never includes them, and neither does ``repr``.
    """

    transport: Transport
    url: str = ""
    headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    command: str = ""
    args: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    cwd: str | None = None
    timeout: float | None = None
    connect_timeout: float | None = None

    def describe(self) -> str:
        """The server as messages name it: the URL without credentials or query, or the command."""
        if self.transport == "stdio":
            return f"stdio command {shlex.join([self.command, *self.args])!r}"
        return public_url(self.url)

    def secrets(self) -> list[str]:
        """Values that must never appear in a message or log line: header and environment values,
        and the URL's password and query values (where tokens travel too). Values under
        ``_MIN_SECRET`` characters are left out: redacting every "1" or "true" helps no one."""
        parts = urlsplit(self.url)
        values = [value for _, value in (*self.headers, *self.env)]
        values.extend(value.split(" ", 1)[1] for _, value in self.headers if " " in value)  # "Bearer <token>"
        values.append(parts.password or "")
        values.extend(value for _, value in parse_qsl(parts.query))
        return [value for value in values if len(value) >= _MIN_SECRET]

    def fingerprint(self) -> str:
        """A digest of everything that defines the connection (secrets included, but hashed)."""
        raw = json.dumps([self.transport, self.url, self.headers, self.command, self.args, self.env, self.cwd])
        return hashlib.sha256(raw.encode()).hexdigest()


def public_url(url: str) -> str:
    """``url`` without user info, query or fragment: safe to log (tokens travel there too)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def target_of(group: ToolGroup) -> McpTarget:
    """The MCP server of ``group``; a 400 naming the field for args that cannot describe one."""
    args = dict(group.args)
    unknown = sorted(set(args) - _KNOWN_ARGS)
    if unknown:
        raise _bad(group, f"unknown args {unknown}; known: {sorted(_KNOWN_ARGS)}")
    uri = group.mcp_endpoint.uri if group.mcp_endpoint is not None else ""
    transport = _transport(group, args.get("transport"), uri)
    timeout = _seconds(group, args, "timeout")
    connect_timeout = _seconds(group, args, "connect_timeout")
    if transport == "stdio":
        command = args.get("command")
        if not isinstance(command, str) or not command:
            raise _bad(group, "args.command must name the program that runs the stdio MCP server")
        return McpTarget(
            transport="stdio",
            command=command,
            args=tuple(_strings(group, args.get("args", []), "args.args")),
            env=tuple(sorted(_string_map(group, args.get("env", {}), "args.env").items())),
            cwd=_optional_string(group, args.get("cwd"), "args.cwd"),
            timeout=timeout,
            connect_timeout=connect_timeout,
        )
    if not uri:
        raise _bad(group, "needs mcp_endpoint.uri (an http(s) URL), or args.transport 'stdio' with args.command")
    scheme = urlsplit(uri).scheme
    if scheme not in ("http", "https"):
        raise _bad(group, f"mcp_endpoint.uri must be an http or https URL, not {scheme or 'a bare path'!r}")
    return McpTarget(
        transport=transport,
        url=uri,
        headers=tuple(sorted(_string_map(group, args.get("headers", {}), "args.headers").items())),
        timeout=timeout,
        connect_timeout=connect_timeout,
    )


def _transport(group: ToolGroup, requested: Any, uri: str) -> Transport:
    if requested is None:
        if not uri and group.args.get("command"):
            return "stdio"
        # The SDK's own convention: an SSE server's endpoint is ``.../sse``.
        return "sse" if urlsplit(uri).path.rstrip("/").endswith("/sse") else "streamable_http"
    if not isinstance(requested, str) or requested.lower() not in _TRANSPORT_NAMES:
        raise _bad(group, f"args.transport must be one of 'streamable_http', 'sse', 'stdio', not {requested!r}")
    return _TRANSPORT_NAMES[requested.lower()]


def _seconds(group: ToolGroup, args: dict[str, Any], key: str) -> float | None:
    value = args.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise _bad(group, f"args.{key} must be a positive number of seconds")
    return float(value)


def _strings(group: ToolGroup, value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _bad(group, f"{where} must be a list of strings")
    return value


def _string_map(group: ToolGroup, value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        # Never quote the value: it may be a credential.
        raise _bad(group, f"{where} must map names to string values")
    return value


def _optional_string(group: ToolGroup, value: Any, where: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise _bad(group, f"{where} must be a string")
    return value


def _bad(group: ToolGroup, message: str) -> BadRequestError:
    return BadRequestError(f"tool group {group.id!r}: {message}", param="args")
