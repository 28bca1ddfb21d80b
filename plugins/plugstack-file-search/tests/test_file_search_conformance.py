"""``inline::file-search`` in library mode: the shared tool runtime suite, then its own behaviour.

Every test gets a fresh stack whose declared store holds the three documents of
``conftest.DOCUMENTS``, searched by real embeddings; the default group
``builtin::file_search`` searches that store.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, ClassVar

import pytest
import pytest_asyncio

from plugstack.apis.tool_runtime.types import ToolInvocationResult
from plugstack.errors import BadRequestError, NotFoundError
from plugstack.plugins import PluginHost
from plugstack.stack import Stack
from plugstack.testing.tool_conformance import ToolRuntimeConformance, result_text

STORE_ID = "science-and-baking"
PLANTS = "How do green plants make food from light?"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def ingested(
    tmp_path_factory: pytest.TempPathFactory,
    make_config: Callable[..., dict[str, Any]],
    make_host: Callable[[], PluginHost],
    ingest_documents: Callable[..., Awaitable[dict[str, str]]],
) -> AsyncIterator[tuple[Stack, dict[str, str]]]:
    """One stack for the conformance class (loading the model and ingesting take a second or two)."""
    async with await Stack.from_config(make_config(tmp_path_factory.mktemp("file-search")), host=make_host()) as stack:
        yield stack, await ingest_documents(stack, STORE_ID)


class TestFileSearchConformance(ToolRuntimeConformance):
    toolgroup_id = "builtin::file_search"
    tool_name = "file_search"
    tool_arguments: ClassVar[dict[str, Any]] = {"query": PLANTS}
    expected_text = "chlorophyll"
    provider_type = "inline::file-search"
    sdk_modules = ("plugstack_file_search.provider", "plugstack_file_search.tool", "plugstack_file_search.results")
    shared_stack_loop = True  # conftest: the async tests run in the module-scoped stack's event loop
    unsupported: ClassVar[dict[str, str]] = {
        "tool_errors": "file_search has no tool-level failure: bad arguments, unknown stores and backends that "
        "are down are raised as 400/404/503 for the caller to see (see the README)",
    }

    @pytest.fixture
    def stack(self, ingested: tuple[Stack, dict[str, str]]) -> Stack:
        """The suite's stack, with documents ingested; no upstream, so no ``plugstack_cassette``."""
        return ingested[0]

    @pytest.fixture
    def file_ids(self, ingested: tuple[Stack, dict[str, str]]) -> dict[str, str]:
        return ingested[1]

    async def search(self, stack: Stack, tool_name: str = "file_search", **kwargs: Any) -> ToolInvocationResult:
        result = await stack.tool_runtime.invoke_tool(tool_name=tool_name, kwargs=kwargs)
        assert isinstance(result, ToolInvocationResult) and result.error_message is None
        return result

    # -- ranking by meaning -------------------------------------------------------------------

    @pytest.mark.parametrize(
        ("query", "best"),
        [
            (PLANTS, "photosynthesis.md"),
            ("what comes out of a mountain that explodes", "volcanoes.txt"),
            ("how to make a loaf at home", "bread.html"),
        ],
    )
    async def test_the_best_ranked_chunk_is_the_relevant_document(
        self, stack: Stack, file_ids: dict[str, str], query: str, best: str
    ) -> None:
        results = (await self.search(stack, query=query)).metadata["results"]
        assert results[0]["filename"] == best
        assert results[0]["file_id"] == file_ids[best]
        assert results[0]["score"] > results[1]["score"]

    async def test_structured_results_have_the_file_search_call_shape(self, stack: Stack) -> None:
        result = await self.search(stack, query=PLANTS)
        assert result.metadata["queries"] == [PLANTS]
        assert result.metadata["vector_store_ids"] == [STORE_ID]
        results = result.metadata["results"]
        assert len(results) == 3  # every chunk of the store: fewer than max_num_results
        best = results[0]
        assert set(best) == {"file_id", "filename", "score", "text", "attributes", "vector_store_id"}
        assert best["attributes"] == {"topic": "science"}
        assert best["vector_store_id"] == STORE_ID
        assert best["text"].startswith("# Photosynthesis\n") and "chlorophyll" in best["text"]
        assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)

    async def test_the_model_reads_numbered_results_with_file_names_and_scores(self, stack: Stack) -> None:
        result = await self.search(stack, query=PLANTS)
        parts = result.content
        assert isinstance(parts, list) and all(part["type"] == "text" for part in parts)
        assert parts[0]["text"] == f'file_search found 3 results for "{PLANTS}":'
        best = result.metadata["results"][0]
        assert parts[1]["text"].startswith(
            f"[1] photosynthesis.md (file_id: {best['file_id']}, score: {best['score']:.3f}, "
            'attributes: {"topic": "science"})\n# Photosynthesis\n'
        )
        assert parts[3]["text"].startswith("[3] ")
        assert "cite" in parts[-1]["text"] and len(parts) == 5

    # -- arguments ------------------------------------------------------------------------------

    async def test_max_num_results_limits_the_answer(self, stack: Stack) -> None:
        result = await self.search(stack, query=PLANTS, max_num_results=1)
        assert [r["filename"] for r in result.metadata["results"]] == ["photosynthesis.md"]
        assert result_text(result).count("[1]") == 2 and "[2]" not in result_text(result).replace("[1]", "")

    async def test_filters_select_by_attributes(self, stack: Stack) -> None:
        result = await self.search(stack, query=PLANTS, filters={"type": "eq", "key": "topic", "value": "cooking"})
        assert [r["filename"] for r in result.metadata["results"]] == ["bread.html"]

    async def test_a_score_threshold_can_leave_nothing(self, stack: Stack) -> None:
        result = await self.search(stack, query=PLANTS, ranking_options={"score_threshold": 0.99})
        assert result.metadata["results"] == []
        assert result_text(result) == f'file_search found no results for "{PLANTS}".'

    async def test_an_unknown_vector_store_is_the_routers_404(self, stack: Stack) -> None:
        with pytest.raises(NotFoundError, match="vector store 'no-such-store' not found"):
            await stack.tool_runtime.invoke_tool(
                tool_name="file_search", kwargs={"query": PLANTS, "vector_store_ids": [STORE_ID, "no-such-store"]}
            )

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"query": ""}, r"kwargs\['query'\]"),
            ({"query": PLANTS, "max_num_results": 51}, r"kwargs\['max_num_results'\]"),
            ({"query": PLANTS, "vector_store_ids": []}, r"kwargs\['vector_store_ids'\]"),
            ({"query": PLANTS, "top_k": 3}, "top_k"),
            ({"query": "   "}, "query must not be empty"),
            ({"query": PLANTS, "filters": {"type": "like", "key": "topic", "value": "x"}}, "filters"),
        ],
    )
    async def test_bad_arguments_are_a_400(self, stack: Stack, kwargs: dict[str, Any], message: str) -> None:
        with pytest.raises(BadRequestError, match=message):
            await stack.tool_runtime.invoke_tool(tool_name="file_search", kwargs=kwargs)

    # -- several stores, groups and args ---------------------------------------------------------

    async def test_several_stores_are_merged_by_score(
        self, stack: Stack, ingest_documents: Callable[..., Awaitable[dict[str, str]]]
    ) -> None:
        history = await stack.vector_stores.create_vector_store(name="history")
        rome = "The Roman Empire built roads and aqueducts; Julius Caesar crossed the Rubicon in 49 BC."
        await ingest_documents(stack, history.id, {"rome.txt": (rome, {"topic": "history"})})
        result = await self.search(
            stack, query="ancient emperors and their roads", vector_store_ids=[STORE_ID, history.id]
        )
        await stack.vector_stores.delete_vector_store(history.id)
        results = result.metadata["results"]
        assert (results[0]["filename"], results[0]["vector_store_id"]) == ("rome.txt", history.id)
        assert {r["vector_store_id"] for r in results[1:]} == {STORE_ID}
        assert len(results) == 4

    async def test_a_registered_group_without_stores_requires_them(self, stack: Stack) -> None:
        await stack.tool_runtime.register_tool_group(
            toolgroup_id="docs", args={"tool_name": "search_docs", "max_chars_per_result": 24, "vector_store_ids": []}
        )
        try:
            tool = await stack.tool_runtime.get_tool("search_docs")
            assert tool.toolgroup_id == "docs" and tool.parameters["required"] == ["query", "vector_store_ids"]
            with pytest.raises(BadRequestError, match="vector_store_ids"):
                await stack.tool_runtime.invoke_tool(tool_name="search_docs", kwargs={"query": PLANTS})

            result = await self.search(stack, "search_docs", query=PLANTS, vector_store_ids=[STORE_ID])
            shown = result.content[1]["text"]  # type: ignore[index]
            assert shown.endswith("\n# Photosynthesis\n\nPlant…") and len(shown.split("\n", 1)[1]) == 24
            assert "releasing oxygen" in result.metadata["results"][0]["text"]  # structured results stay whole
            # the default group is still served, by its own tool
            assert (await stack.tool_runtime.get_tool("file_search")).toolgroup_id == self.toolgroup_id
        finally:
            await stack.tool_runtime.unregister_tool_group("docs")

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            ({"max_num_results": 99}, "max_num_results"),
            ({"vector_store_id": ["x"]}, "vector_store_id"),
            ({"tool_name": "file search"}, "tool_name"),
            ({"search_mode": "semantic"}, "search_mode"),
        ],
    )
    async def test_bad_group_args_are_refused_at_registration(
        self, stack: Stack, args: dict[str, Any], message: str
    ) -> None:
        with pytest.raises(BadRequestError, match=f"args of tool group 'bad'.*{message}"):
            await stack.tool_runtime.register_tool_group(toolgroup_id="bad", args=args)
        with pytest.raises(NotFoundError):
            stack.tool_groups.get("bad")

    async def test_an_mcp_endpoint_is_refused(self, stack: Stack) -> None:
        with pytest.raises(BadRequestError, match="mcp_endpoint"):
            await stack.tool_runtime.register_tool_group(
                toolgroup_id="mcp", mcp_endpoint={"uri": "http://127.0.0.1:1/sse"}
            )

    async def test_the_default_group_shows_its_args(self, stack: Stack) -> None:
        group = stack.tool_groups.get(self.toolgroup_id)
        assert group.provider_id == "file-search"
        assert group.args["vector_store_ids"] == [STORE_ID] and group.args["max_num_results"] == 10


async def test_groups_from_the_run_config_keyword_search_and_no_default_group(
    tmp_path: Path,
    make_config: Callable[..., dict[str, Any]],
    make_host: Callable[[], PluginHost],
    ingest_documents: Callable[..., Awaitable[dict[str, str]]],
) -> None:
    """``toolgroup_id: ""`` lists no group; a run-config group's args override the provider config's."""
    config = make_config(
        tmp_path,
        file_search={"toolgroup_id": "", "max_num_results": 1},
        tool_groups=[
            {"toolgroup_id": "kitchen", "args": {"vector_store_ids": [STORE_ID], "search_mode": "keyword"}},
        ],
        echo_embeddings=True,  # keyword search: no model needed
    )
    async with await Stack.from_config(config, host=make_host()) as stack:
        await ingest_documents(stack, STORE_ID)
        assert [group.id for group in stack.tool_groups.list()] == ["kitchen"]
        result = await stack.tool_runtime.invoke_tool(tool_name="file_search", kwargs={"query": "yeast dough"})
        assert [r["filename"] for r in result.metadata["results"]] == ["bread.html"]  # max_num_results: 1
        result = await stack.tool_runtime.invoke_tool(tool_name="file_search", kwargs={"query": "green plants"})
        assert result.metadata["results"][0]["filename"] == "photosynthesis.md"


async def test_bad_group_args_in_the_run_config_stop_the_start(
    tmp_path: Path, make_config: Callable[..., dict[str, Any]], make_host: Callable[[], PluginHost]
) -> None:
    config = make_config(
        tmp_path, tool_groups=[{"toolgroup_id": "kitchen", "args": {"max_num_results": 0}}], echo_embeddings=True
    )
    with pytest.raises(BadRequestError, match="args of tool group 'kitchen': max_num_results"):
        async with await Stack.from_config(config, host=make_host()):
            pass
