"""The ``remote::model-context-protocol`` adapter: each tool group is one MCP server.

Connecting (an HTTP handshake, or launching a stdio program) costs far more than a tool
call, so each group keeps one open client session, reused by every call and reopened
once when it broke (the server restarted, its process died). The mcp SDK's clients run
on anyio task groups, whose cancel scopes must be entered and exited by the same task;
so each session lives in a dedicated owner task (:class:`McpSession`) that enters the
client, waits until told to stop, and exits it. Callers from any task send requests
through the open session. A transport failure ends only the owner task, never the
caller's, and pending calls get the SDK's "connection closed" error, after which the
call is retried once on a fresh session.

This is the only module that imports the mcp SDK (and its httpx2).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio
import httpx2
import mcp_types
from mcp import Client, StdioServerParameters
from mcp.client.sse import sse_client
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import MCP_DEFAULT_SSE_READ_TIMEOUT
from mcp.shared.exceptions import MCPError

from plugstack.apis.tool_groups.types import ToolGroup
from plugstack.apis.tool_runtime.types import ToolDef, ToolInvocationResult
from plugstack.errors import BadRequestError, PlugstackError, ProviderError, error_for_status
from plugstack.provider_context import ProviderContext
from plugstack.redaction import redact_text
from plugstack_mcp.config import McpConfig
from plugstack_mcp.convert import tool_def, tool_result
from plugstack_mcp.target import McpTarget, target_of

__all__ = ["McpSession", "McpToolRuntime", "create_provider"]

log = logging.getLogger("plugstack.mcp")

T = TypeVar("T")

_CLIENT_INFO = mcp_types.Implementation(name="plugstack", version="0.1")
_MAX_PAGES = 100  # tools/list pages read per listing: a server whose cursor never ends cannot hang a call
_CLOSE_GRACE = 3.0  # seconds a closing session may take (an HTTP DELETE, a process exiting) before it is cancelled


class _RedactSecrets(logging.Filter):
    """Takes the secrets of open sessions out of the SDK's and httpx2's log lines.

    The SDK logs the endpoint URL it connects to (query tokens included) at DEBUG, and
    httpx2 each request's URL at INFO. Filters run only for records that pass the level
    check, so this costs nothing on the call path at the usual WARNING level.
    """

    def __init__(self) -> None:
        super().__init__()
        self.secrets: Counter[str] = Counter()

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            redacted = redact_text(message, *self.secrets)
            if redacted != message:
                record.msg, record.args = redacted, None
        return True


_REDACT = _RedactSecrets()
for _name in ("mcp.client.streamable_http", "mcp.client.sse", "mcp.client.stdio", "httpx2", "httpcore2.connection"):
    logging.getLogger(_name).addFilter(_REDACT)


def create_provider(config: McpConfig, context: ProviderContext) -> McpToolRuntime:
    return McpToolRuntime(config, provider_id=context.provider_id)


class McpSession:
    """One open MCP client session to one server, owned by its own task.

    :meth:`open` starts the owner task and waits (at most ``connect_timeout``) for the
    handshake; :meth:`close` asks it to exit the client and waits for it. ``client`` is
    usable between the two, from any task, while :attr:`alive`.
    """

    def __init__(self, group_id: str, target: McpTarget, *, connect_timeout: float, timeout: float) -> None:
        self.group_id = group_id
        self.target = target
        self.fingerprint = target.fingerprint()
        self.connect_timeout = connect_timeout
        self.timeout = timeout
        self.client: Client | None = None
        self.failure: BaseException | None = None  # why the owner task ended, if it failed after the handshake
        self.last_http_status: int | None = None  # the last HTTP error status, to map what the SDK reports vaguely
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def alive(self) -> bool:
        return self.client is not None and self._task is not None and not self._task.done()

    async def open(self) -> None:
        """Connect and handshake; raises what the SDK raised, or ``TimeoutError`` after ``connect_timeout``."""
        ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._task = asyncio.create_task(self._own(ready), name=f"mcp session of tool group {self.group_id}")
        try:
            async with asyncio.timeout(self.connect_timeout):
                await asyncio.shield(ready)
        except BaseException:
            await self._cancel()
            raise

    async def close(self) -> None:
        """Exit the client in its owner task (ending the HTTP session, or the stdio process)."""
        self._stop.set()
        task = self._task
        if task is None or task.done():
            return
        try:
            async with asyncio.timeout(_CLOSE_GRACE):
                await asyncio.shield(task)
        except TimeoutError:
            log.warning("tool group %r: MCP session did not close within %ss; cancelled", self.group_id, _CLOSE_GRACE)
            await self._cancel()

    async def _cancel(self) -> None:
        task = self._task
        if task is not None and not task.done():
            task.cancel()
            await asyncio.wait([task], timeout=_CLOSE_GRACE)  # unlike awaiting it, keeps our own cancellation

    async def _own(self, ready: asyncio.Future[None]) -> None:
        _REDACT.secrets.update(self.target.secrets())
        try:
            async with contextlib.AsyncExitStack() as stack:
                transport = await self._transport(stack)
                client = Client(
                    transport,
                    read_timeout_seconds=self.timeout,
                    client_info=_CLIENT_INFO,
                    cache=None,  # the core's router keeps the tool listings
                )
                self.client = await stack.enter_async_context(client)
                ready.set_result(None)
                await self._stop.wait()
        except Exception as exc:  # the owner reports; its callers raise
            if not ready.done():
                ready.set_exception(exc)
            else:
                self.failure = exc
                log.info("tool group %r: MCP session ended: %s", self.group_id, _leaf(exc).__class__.__name__)
        finally:
            self.client = None
            _REDACT.secrets.subtract(self.target.secrets())
            _REDACT.secrets += Counter()  # drop the secrets no open session holds any more

    async def _transport(self, stack: contextlib.AsyncExitStack) -> Any:
        target = self.target
        if target.transport == "stdio":
            params = StdioServerParameters(
                command=target.command, args=list(target.args), env=dict(target.env) or None, cwd=target.cwd
            )
            return stdio_client(params, errlog=_errlog())
        hooks = {"response": [self._note_status]}
        if target.transport == "sse":

            def factory(
                headers: dict[str, str] | None = None,
                timeout: httpx2.Timeout | None = None,
                auth: httpx2.Auth | None = None,
            ) -> httpx2.AsyncClient:
                return httpx2.AsyncClient(headers=headers, timeout=timeout, auth=auth, event_hooks=hooks)

            return sse_client(
                target.url,
                headers=dict(target.headers),
                timeout=self.connect_timeout,
                sse_read_timeout=max(self.timeout, MCP_DEFAULT_SSE_READ_TIMEOUT),
                httpx_client_factory=factory,
            )
        # Reads stay long: a response stream is open while a tool runs (tools/call has its own timeout).
        timeout = httpx2.Timeout(
            self.timeout, connect=self.connect_timeout, read=max(self.timeout, MCP_DEFAULT_SSE_READ_TIMEOUT)
        )
        http = await stack.enter_async_context(
            httpx2.AsyncClient(headers=dict(target.headers), timeout=timeout, event_hooks=hooks)
        )
        return streamable_http_client(target.url, http_client=http)

    async def _note_status(self, response: httpx2.Response) -> None:
        if response.status_code >= 400:
            self.last_http_status = response.status_code


class McpToolRuntime:
    """Implements :class:`plugstack.apis.tool_runtime.ToolRuntime` over MCP servers, one per tool group."""

    def __init__(self, config: McpConfig, *, provider_id: str = "model-context-protocol") -> None:
        self.config = config
        self.provider_id = provider_id
        self._sessions: dict[str, McpSession] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._targets: dict[str, tuple[ToolGroup, McpTarget]] = {}

    async def shutdown(self) -> None:
        sessions = list(self._sessions.values())
        self._sessions.clear()
        await asyncio.gather(*(session.close() for session in sessions))

    async def health(self) -> dict[str, Any]:
        """OK: each group is checked when used; this says which have an open session."""
        return {"status": "OK", "open_sessions": sorted(g for g, s in self._sessions.items() if s.alive)}

    async def register_tool_group(self, group: ToolGroup) -> None:
        """Check the group's args (400), then that its server answers tools/list (see ``check_on_register``)."""
        self._targets.pop(group.id, None)
        target_of(group)
        try:
            await self.list_tools(group)
        except BadRequestError:
            raise
        except PlugstackError as exc:
            if self.config.check_on_register == "fail":
                raise
            log.warning("tool group %r registered, but not usable yet: %s", group.id, exc.message)

    async def unregister_tool_group(self, group: ToolGroup) -> None:
        self._targets.pop(group.id, None)
        session = self._sessions.pop(group.id, None)
        if session is not None:
            await session.close()

    async def list_tools(self, group: ToolGroup) -> list[ToolDef]:
        async def fetch(client: Client) -> list[ToolDef]:
            tools: list[ToolDef] = []
            cursor: str | None = None
            for _ in range(_MAX_PAGES):
                page = await client.list_tools(cursor=cursor)
                tools.extend(
                    tool_def(t.model_dump(by_alias=True, mode="json", exclude_none=True), group.id) for t in page.tools
                )
                cursor = page.next_cursor
                if not cursor:
                    break
            return tools

        return await self._call(group, "tools/list", fetch)

    async def invoke_tool(self, group: ToolGroup, tool_name: str, arguments: dict[str, Any]) -> ToolInvocationResult:
        async def call(client: Client) -> ToolInvocationResult:
            result = await client.call_tool(tool_name, arguments)
            return tool_result(result.model_dump(by_alias=True, mode="json", exclude_none=True), tool_name)

        return await self._call(group, f"tools/call {tool_name!r}", call)

    async def _call(self, group: ToolGroup, what: str, operation: Callable[[Client], Awaitable[T]]) -> T:
        """Run ``operation`` on the group's session; once more on a new session if that one broke."""
        target = self._target(group)
        for attempt in (1, 2):
            session = await self._session(group, target)
            client = session.client
            try:
                if client is None:
                    raise MCPError(mcp_types.CONNECTION_CLOSED, "Connection closed")
                return await operation(client)
            except Exception as exc:
                if attempt == 1 and _broken(exc, session):
                    log.info("tool group %r: MCP session broke during %s; reconnecting", group.id, what)
                    await self._discard(group.id, session)
                    continue
                raise self._error(group, session, exc, what) from None
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def _target(self, group: ToolGroup) -> McpTarget:
        """The group's target, parsed once per group object (the router passes the same object each call)."""
        cached = self._targets.get(group.id)
        if cached is not None and cached[0] is group:
            return cached[1]
        target = target_of(group)
        self._targets[group.id] = (group, target)
        return target

    async def _session(self, group: ToolGroup, target: McpTarget) -> McpSession:
        session = self._sessions.get(group.id)
        if session is not None and session.alive and session.target is target:
            return session  # the hot path: no lock, no hashing
        lock = self._locks.setdefault(group.id, asyncio.Lock())
        async with lock:
            session = self._sessions.get(group.id)
            if session is not None and session.alive and session.fingerprint == target.fingerprint():
                session.target = target
                return session
            if session is not None:
                await self._discard(group.id, session)
            session = McpSession(
                group.id,
                target,
                connect_timeout=target.connect_timeout or self._connect_timeout(target),
                timeout=target.timeout or self.config.timeout,
            )
            try:
                await session.open()
            except Exception as exc:
                raise self._error(group, session, exc, "connecting") from None
            self._sessions[group.id] = session
            return session

    def _connect_timeout(self, target: McpTarget) -> float:
        return self.config.stdio_connect_timeout if target.transport == "stdio" else self.config.connect_timeout

    async def _discard(self, group_id: str, session: McpSession) -> None:
        if self._sessions.get(group_id) is session:
            del self._sessions[group_id]
        await session.close()

    def _error(self, group: ToolGroup, session: McpSession, exc: BaseException, what: str) -> PlugstackError:
        """The plugstack error for a failure of ``what``: names the group and its server, never a secret."""
        target = session.target
        leaf = _leaf(exc)
        where = f"tool group {group.id!r} (MCP server {target.describe()})"

        def clean(text: str) -> str:
            return redact_text(text, *target.secrets())

        def unavailable(reason: str, status: int = 503) -> ProviderError:
            return ProviderError(
                f"{where}: {clean(reason)}",
                provider_id=self.provider_id,
                status_code=status,
                code="tool_group_unavailable",
            )

        if isinstance(leaf, TimeoutError):
            return unavailable(f"no answer while {what} within {session.connect_timeout:g}s")
        if isinstance(leaf, MCPError):
            status = session.last_http_status
            if status in (401, 403, 429):
                return error_for_status(status, f"{where}: HTTP {status} while {what}", provider_id=self.provider_id)
            if leaf.code == mcp_types.REQUEST_TIMEOUT:
                return unavailable(f"{what} timed out after {session.timeout:g}s", status=504)
            if leaf.code == mcp_types.CONNECTION_CLOSED:
                return unavailable(f"connection closed while {what}")
            if leaf.code == mcp_types.INVALID_PARAMS:
                return BadRequestError(f"{where}: {clean(leaf.message)}", param="kwargs")
            detail = f" (HTTP {status})" if status else ""
            return ProviderError(
                f"{where}: error while {what}{detail}: {clean(leaf.message)}", provider_id=self.provider_id
            )
        if isinstance(leaf, httpx2.TimeoutException):
            return unavailable(f"timed out while {what}", status=504 if session.alive else 503)
        if isinstance(leaf, httpx2.TransportError | OSError | anyio.BrokenResourceError | anyio.ClosedResourceError):
            reason = str(leaf) or type(leaf).__name__
            return unavailable(f"cannot reach it while {what}: {reason}")
        if isinstance(leaf, httpx2.HTTPStatusError):  # the SSE transport's failed connect
            return error_for_status(
                leaf.response.status_code,
                f"{where}: HTTP {leaf.response.status_code} while {what}",
                provider_id=self.provider_id,
            )
        return ProviderError(
            f"{where}: {type(leaf).__name__} while {what}: {clean(str(leaf))}", provider_id=self.provider_id
        )


def _broken(exc: BaseException, session: McpSession) -> bool:
    """Whether ``exc`` says the session is gone (so a new one may succeed), not that the call failed."""
    leaf = _leaf(exc)
    if isinstance(leaf, MCPError):
        if leaf.code == mcp_types.CONNECTION_CLOSED:
            return True
        # A restarted legacy server no longer knows our session id (HTTP 404): it ran nothing.
        return leaf.code == mcp_types.INVALID_REQUEST and leaf.message == "Session terminated"
    if isinstance(leaf, httpx2.TransportError | anyio.BrokenResourceError | anyio.ClosedResourceError):
        return True
    return not session.alive


def _leaf(exc: BaseException) -> BaseException:
    """The first real error inside the exception groups anyio's task groups wrap errors in."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


def _errlog() -> Any:
    """Where a stdio server's stderr goes: ours, when it is a real file (pytest's capture may not be)."""
    try:
        sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        return sys.__stderr__
    return sys.stderr
