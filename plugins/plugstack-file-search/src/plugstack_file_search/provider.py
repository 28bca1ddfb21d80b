"""The ``inline::file-search`` provider: one ``file_search`` tool per group, over the vector stores router.

Each call searches every named store through the router's ``search_vector_store`` (what
``POST /v1/vector_stores/{id}/search`` runs: the query embedded with each store's own
model), concurrently, and merges the results by score.

Errors are the caller's to see, never a tool-level ``error_message``: arguments the
schema refuses are the router's 400; a query, filter or ranking option the search refuses
is the vector stores router's 400; an unknown vector store its 404; a backend that is
down its 503. Every one of those is the caller's (or operator's) to fix — the ids, filters
and options come from the application's tool definition, not from the model — and a
Responses implementation turns them into a failed ``file_search_call`` if it wishes.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from plugstack.apis import Api
from plugstack.apis.tool_groups.types import ToolGroup
from plugstack.apis.tool_runtime.types import ToolDef, ToolInvocationResult
from plugstack.apis.vector_stores.router import VectorStoresRouter
from plugstack.apis.vector_stores.types import SearchResultsPage
from plugstack.errors import BadRequestError, NotFoundError
from plugstack.provider_context import ProviderContext
from plugstack_file_search.config import FileSearchArgs, FileSearchConfig, group_args
from plugstack_file_search.results import content_parts, merge_pages
from plugstack_file_search.tool import tool_def

__all__ = ["FileSearchToolRuntime", "create_provider"]

log = logging.getLogger("plugstack.file_search")


def create_provider(config: FileSearchConfig, context: ProviderContext) -> FileSearchToolRuntime:
    return FileSearchToolRuntime(config, context[Api.vector_io], provider_id=context.provider_id)


class FileSearchToolRuntime:
    def __init__(self, config: FileSearchConfig, vector_stores: VectorStoresRouter, *, provider_id: str) -> None:
        self.config = config
        self.vector_stores = vector_stores
        self.provider_id = provider_id

    # -- tool groups --------------------------------------------------------------------------

    async def list_tool_groups(self) -> list[ToolGroup]:
        """The group served without registration (``config.toolgroup_id``), with the config's args."""
        if not self.config.toolgroup_id:
            return []
        return [
            ToolGroup(
                id=self.config.toolgroup_id,
                provider_id=self.provider_id,
                provider_resource_id=self.config.toolgroup_id,
                args=self.config.defaults(),
            )
        ]

    async def register_tool_group(self, group: ToolGroup) -> None:
        """Refuse bad args at registration (400), not at the first call.

        The stores are not looked up here: a store deleted later would otherwise stop a
        run config naming it from starting; an unknown store is a 404 when searched.
        """
        if group.mcp_endpoint is not None:
            raise BadRequestError(
                f"tool group {group.id!r}: provider {self.provider_id!r} (inline::file-search) takes no mcp_endpoint",
                param="mcp_endpoint",
            )
        self._args(group)

    # -- tools --------------------------------------------------------------------------------

    async def list_tools(self, group: ToolGroup) -> list[ToolDef]:
        return [tool_def(self._args(group))]

    async def invoke_tool(self, group: ToolGroup, tool_name: str, arguments: dict[str, Any]) -> ToolInvocationResult:
        """Search the stores, merge by score; ``arguments`` were checked against the tool's schema."""
        args = self._args(group)
        if tool_name != args.tool_name:
            raise NotFoundError(f"tool group {group.id!r} has no tool {tool_name!r}", param="tool_name")
        query: str = arguments["query"]
        store_ids = list(dict.fromkeys(arguments.get("vector_store_ids") or args.vector_store_ids))
        if not store_ids:  # the schema requires them then; kept for callers that bypass the router
            raise BadRequestError(
                f"tool group {group.id!r} names no vector stores: pass vector_store_ids", param="vector_store_ids"
            )
        limit: int = arguments.get("max_num_results", args.max_num_results)
        search: dict[str, Any] = {"query": query, "max_num_results": limit, "search_mode": args.search_mode}
        for option in ("filters", "ranking_options"):
            if arguments.get(option) is not None:
                search[option] = arguments[option]
        log.debug("provider %r: %s searches %s for %r", self.provider_id, group.id, store_ids, query)
        answers = await asyncio.gather(
            *(self.vector_stores.search_vector_store(store_id, **search) for store_id in store_ids),
            return_exceptions=True,
        )
        pages: list[tuple[str, SearchResultsPage]] = []
        for store_id, answer in zip(store_ids, answers, strict=True):
            if isinstance(answer, BaseException):
                raise answer  # the first failing store, in the order named
            pages.append((store_id, answer))
        results = merge_pages(pages, limit)
        return ToolInvocationResult(
            content=content_parts(query, results, args.max_chars_per_result),
            metadata={
                "queries": [query],
                "vector_store_ids": store_ids,
                "results": [result.model_dump() for result in results],
            },
        )

    def _args(self, group: ToolGroup) -> FileSearchArgs:
        return group_args(self.config, group.args, toolgroup_id=group.id)
