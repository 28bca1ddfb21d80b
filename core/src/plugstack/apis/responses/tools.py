"""The tools of a response: what the model is offered (all as functions) and who runs each.

``function`` tools are the client's: a call of one ends the response with a
``function_call`` item. ``file_search``, ``web_search`` and each tool of an ``mcp``
server are plugstack's: offered to the model as functions too, run here, their results
fed back to the model. :meth:`ServerTools.tool_set` does everything that can fail before
the model runs (unknown stores, unreachable MCP servers, clashing names), so those are
HTTP errors even for a streamed response.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from plugstack.apis.responses.file_search import FileSearch, FileSearchAnswer
from plugstack.apis.responses.mcp import McpServers
from plugstack.apis.responses.messages import text_of
from plugstack.apis.responses.types import (
    CreateResponseRequest,
    FileSearchTool,
    FunctionTool,
    McpListedTool,
    McpListTools,
    McpTool,
    WebSearchTool,
)
from plugstack.apis.tool_groups.types import ToolGroup
from plugstack.apis.tool_runtime.router import ToolRuntimeRouter
from plugstack.apis.tool_runtime.types import ToolDef
from plugstack.errors import BadRequestError, PlugstackError

__all__ = ["WEB_SEARCH_GROUP", "McpOutcome", "ServerTools", "ToolHandler", "ToolSet"]

WEB_SEARCH_GROUP = "builtin::web_search"
_QUERY_ONLY = {
    "type": "object",
    "properties": {"query": {"type": "string", "description": "what to search for"}},
    "required": ["query"],
}


@dataclass
class ToolHandler:
    """Who runs the function of one name: the client, or plugstack (and with what)."""

    kind: Literal["function", "file_search", "web_search", "mcp"]
    file_search: FileSearchTool | None = None
    server_label: str = ""
    group: ToolGroup | None = None
    tool: ToolDef | None = None


@dataclass
class ToolSet:
    chat_tools: list[dict[str, Any]] = field(default_factory=list)
    handlers: dict[str, ToolHandler] = field(default_factory=dict)
    listings: list[McpListTools] = field(default_factory=list)  # one mcp_list_tools item per server
    tool_choice: str | dict[str, Any] = "auto"

    def add(
        self, name: str, description: str | None, parameters: dict[str, Any], handler: ToolHandler, where: str
    ) -> None:
        if name in self.handlers:
            raise BadRequestError(
                f"two tools of this response are named {name!r}; a model calls tools by name", param=where
            )
        function: dict[str, Any] = {"name": name, "parameters": parameters}
        if description:
            function["description"] = description
        self.chat_tools.append({"type": "function", "function": function})
        self.handlers[name] = handler

    def functions_only(self) -> ToolSet:
        """The client's functions alone: what the model is offered once the built-in tools' budget is spent."""
        kept = [tool for tool in self.chat_tools if self.handlers[tool["function"]["name"]].kind == "function"]
        names = {tool["function"]["name"] for tool in kept}
        choice = self.tool_choice
        if isinstance(choice, dict) and choice["function"]["name"] not in names:
            choice = "auto"
        return ToolSet(chat_tools=kept, handlers=self.handlers, listings=self.listings, tool_choice=choice)

    def release_forced_choice(self) -> None:
        """After a round of tool calls: a choice that forced a call becomes ``auto`` (``none`` stays)."""
        if self.tool_choice != "none":
            self.tool_choice = "auto"


@dataclass
class McpOutcome:
    output: str | None
    error: dict[str, Any] | None


class ServerTools:
    """Builds each response's :class:`ToolSet` and runs plugstack's tools."""

    def __init__(self, tool_runtime: ToolRuntimeRouter | None, file_search: FileSearch) -> None:
        self.tool_runtime = tool_runtime
        self.file_search = file_search
        self.mcp = McpServers(tool_runtime)

    async def tool_set(self, request: CreateResponseRequest, new_id: Any) -> ToolSet:
        tools = ToolSet()
        for index, tool in enumerate(request.tools):
            where = f"tools.{index}"
            if isinstance(tool, FunctionTool):
                parameters = tool.parameters or {"type": "object", "properties": {}}
                tools.add(tool.name, tool.description, parameters, ToolHandler("function"), where)
            elif isinstance(tool, FileSearchTool):
                self.file_search.check(index)
                await self.file_search.check_stores(tool)
                description = "Search the content of uploaded files for passages relevant to a query."
                tools.add("file_search", description, _QUERY_ONLY, ToolHandler("file_search", file_search=tool), where)
            elif isinstance(tool, WebSearchTool):
                self._check_web_search(index)
                description = "Search the web; answers with the pages found."
                tools.add("web_search", description, _QUERY_ONLY, ToolHandler("web_search"), where)
            elif isinstance(tool, McpTool):
                await self._add_mcp(tools, tool, index, new_id)
        tools.tool_choice = _chat_tool_choice(request.tool_choice, tools)
        return tools

    def _check_web_search(self, index: int) -> None:
        if self.tool_runtime is None or self.tool_runtime.groups.table.find(WEB_SEARCH_GROUP) is None:
            raise BadRequestError(
                f"web_search needs the tool group {WEB_SEARCH_GROUP!r} (remote::tavily-search or "
                "remote::brave-search); the run config serves none",
                param=f"tools.{index}.type",
            )

    async def _add_mcp(self, tools: ToolSet, tool: McpTool, index: int, new_id: Any) -> None:
        group = self.mcp.group(tool, index)
        listed = await self.mcp.list_tools(group)
        allowed = tool.allowed_tools
        if isinstance(allowed, dict):
            allowed = allowed.get("tool_names")
        if allowed is not None:
            listed = [t for t in listed if t.name in allowed]
        for found in listed:
            handler = ToolHandler("mcp", server_label=tool.server_label, group=group, tool=found)
            tools.add(found.name, found.description, found.parameters, handler, f"tools.{index}")
        tools.listings.append(
            McpListTools(
                id=new_id("mcpl"),
                server_label=tool.server_label,
                tools=[
                    McpListedTool(
                        name=t.name,
                        description=t.description or None,
                        input_schema=t.parameters,
                        annotations=t.metadata.get("annotations"),
                    )
                    for t in listed
                ],
            )
        )

    # -- running ----------------------------------------------------------------------------

    async def search_files(self, handler: ToolHandler, query: str) -> FileSearchAnswer:
        assert handler.file_search is not None
        return await self.file_search.search(handler.file_search, query)

    async def search_web(self, query: str) -> str:
        assert self.tool_runtime is not None
        (tool, *_) = (await self.tool_runtime.list_tools(WEB_SEARCH_GROUP)).data
        result = await self.tool_runtime.invoke_tool(tool_name=tool.name, kwargs={"query": query})
        return result.error_message or text_of(result.content)

    async def call_mcp(self, handler: ToolHandler, arguments: dict[str, Any]) -> McpOutcome:
        """The tool's answer, or the error OpenAI's ``mcp_call.error`` shows (the model reads it too)."""
        assert handler.group is not None and handler.tool is not None
        try:
            result = await self.mcp.invoke(handler.group, handler.tool, arguments)
        except PlugstackError as exc:
            return McpOutcome(None, {"type": "http_error", "code": exc.status_code, "message": exc.message})
        text = text_of(result.content)
        if result.error_message is not None:
            content = [{"type": "text", "text": text or result.error_message}]
            return McpOutcome(None, {"type": "mcp_tool_execution_error", "content": content})
        return McpOutcome(text, None)


def _chat_tool_choice(choice: str | dict[str, Any], tools: ToolSet) -> str | dict[str, Any]:
    """OpenAI's Responses ``tool_choice`` as chat completions take it."""
    if isinstance(choice, str):
        return choice
    kind = choice.get("type")
    name = {"file_search": "file_search", "web_search": "web_search", "web_search_preview": "web_search"}.get(
        str(kind), choice.get("name")
    )
    if kind == "mcp" and name is None:
        return "required"
    if kind not in ("function", "mcp", "file_search", "web_search", "web_search_preview") or name is None:
        raise BadRequestError(
            "tool_choice must be 'auto', 'none', 'required', or name a function, file_search, web_search or mcp tool",
            param="tool_choice",
        )
    if name not in tools.handlers:
        raise BadRequestError(f"tool_choice names {name!r}, which is not a tool of this response", param="tool_choice")
    return {"type": "function", "function": {"name": name}}
