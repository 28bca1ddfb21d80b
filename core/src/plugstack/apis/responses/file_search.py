"""The ``file_search`` tool of a response: the ``builtin::file_search`` tool group, else the vector stores.

With the group (``inline::file-search``) the search runs as that tool, so a deployment's
settings of it (result sizes, search mode) and the ``plugstack_api_call`` hook apply;
without it, the vector stores router searches each store and the results are merged by
score here. Either way the model reads numbered results and the output item gets them
in OpenAI's ``file_search_call.results`` shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from plugstack.apis.responses.messages import text_of
from plugstack.apis.responses.types import FileSearchResult, FileSearchTool
from plugstack.apis.tool_runtime.router import ToolRuntimeRouter
from plugstack.apis.vector_stores.router import VectorStoresRouter
from plugstack.errors import BadRequestError

__all__ = ["FILE_SEARCH_GROUP", "FileSearch", "FileSearchAnswer"]

FILE_SEARCH_GROUP = "builtin::file_search"
_DEFAULT_RESULTS = 10


@dataclass
class FileSearchAnswer:
    results: list[FileSearchResult]
    text: str  # what the model reads


class FileSearch:
    def __init__(self, tool_runtime: ToolRuntimeRouter | None, vector_stores: VectorStoresRouter | None) -> None:
        self.tool_runtime = tool_runtime
        self.vector_stores = vector_stores

    def _group_runtime(self) -> ToolRuntimeRouter | None:
        """The tool runtime when it serves the file search group (which may be registered at any time)."""
        runtime = self.tool_runtime
        return runtime if runtime is not None and runtime.groups.table.find(FILE_SEARCH_GROUP) is not None else None

    def check(self, index: int) -> None:
        if self._group_runtime() is None and self.vector_stores is None:
            raise BadRequestError(
                "file_search needs vector stores: the run config enables no vector_io provider",
                param=f"tools.{index}.type",
            )

    async def check_stores(self, tool: FileSearchTool) -> None:
        """A 404 naming a store that does not exist, before anything runs."""
        if self.vector_stores is not None:
            for store_id in tool.vector_store_ids:
                await self.vector_stores.retrieve_vector_store(store_id)

    async def search(self, tool: FileSearchTool, query: str) -> FileSearchAnswer:
        options: dict[str, Any] = {"max_num_results": tool.max_num_results or _DEFAULT_RESULTS}
        if tool.filters is not None:
            options["filters"] = tool.filters.model_dump()
        if tool.ranking_options is not None:
            options["ranking_options"] = tool.ranking_options
        runtime = self._group_runtime()
        if runtime is not None:
            return await self._with_tool(runtime, tool, query, options)
        assert self.vector_stores is not None  # check() refused the tool otherwise
        return await self._with_stores(self.vector_stores, tool, query, options)

    @staticmethod
    async def _with_tool(
        tool_runtime: ToolRuntimeRouter, tool: FileSearchTool, query: str, options: dict[str, Any]
    ) -> FileSearchAnswer:
        (search_tool, *_) = (await tool_runtime.list_tools(FILE_SEARCH_GROUP)).data
        result = await tool_runtime.invoke_tool(
            tool_name=search_tool.name,
            kwargs={"query": query, "vector_store_ids": tool.vector_store_ids, **options},
        )
        results = [FileSearchResult.model_validate(found) for found in result.metadata.get("results", [])]
        return FileSearchAnswer(results=results, text=result.error_message or text_of(result.content))

    @staticmethod
    async def _with_stores(
        vector_stores: VectorStoresRouter, tool: FileSearchTool, query: str, options: dict[str, Any]
    ) -> FileSearchAnswer:
        results: list[FileSearchResult] = []
        for store_id in tool.vector_store_ids:
            page = await vector_stores.search_vector_store(store_id, query=query, **options)
            results.extend(
                FileSearchResult(
                    file_id=hit.file_id,
                    filename=hit.filename,
                    score=hit.score,
                    text="\n".join(part.text for part in hit.content),
                    attributes=hit.attributes,
                )
                for hit in page.data
            )
        results.sort(key=lambda result: -(result.score or 0.0))  # stable: ties keep the stores' order
        results = results[: options["max_num_results"]]
        if not results:
            return FileSearchAnswer(results=[], text=f'file_search found no results for "{query}".')
        lines = [f'file_search found {len(results)} results for "{query}":']
        lines += [
            f"[{n}] {r.filename} (file_id: {r.file_id}, score: {r.score:.3f})\n{r.text}"
            for n, r in enumerate(results, 1)
        ]
        return FileSearchAnswer(results=results, text="\n\n".join(lines))
