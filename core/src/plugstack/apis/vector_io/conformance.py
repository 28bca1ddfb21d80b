"""The vector IO conformance suite: what every vector store backend must do alike.

A backend's tests subclass :class:`VectorIOConformance` and implement ``open_provider``;
every test then runs against that backend, on small hand-made vectors (no embedding model
needed)::

    class TestSqliteVecConformance(VectorIOConformance):
        async def open_provider(self, directory):
            provider = SqliteVecProvider(SqliteVecConfig(db_path=str(directory / "v.db")))
            await provider.initialize()
            return provider

``open_provider(directory)`` called twice with the same directory must open the same
data: that is how persistence across a restart is tested. A backend that lacks a search
mode lists it in ``unsupported_modes`` and must raise
:class:`~plugstack.errors.NotImplementedByProviderError` for it.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from plugstack.apis.vector_io import Chunk, SearchMode, VectorStore
from plugstack.errors import BadRequestError, NotImplementedByProviderError, PlugstackError
from plugstack.protocols import optional_method

__all__ = ["VectorIOConformance"]

DIMENSION = 4


def _unit(*values: float) -> list[float]:
    norm = math.sqrt(sum(v * v for v in values))
    return [v / norm for v in values]


# Four documents along different axes, with words for keyword search and attributes for filters.
DOCUMENTS = [
    Chunk(
        id="a:0",
        file_id="a",
        content="apples and pears grow in the orchard",
        embedding=_unit(1, 0, 0, 0),
        attributes={"kind": "fruit", "year": 2020, "public": True},
    ),
    Chunk(
        id="b:0",
        file_id="b",
        content="carrots and potatoes grow in the field",
        embedding=_unit(0.8, 0.6, 0, 0),
        attributes={"kind": "vegetable", "year": 2021, "public": False},
    ),
    Chunk(
        id="c:0",
        file_id="c",
        content="the kernel schedules threads on processor cores",
        embedding=_unit(0, 0, 1, 0),
        attributes={"kind": "computing", "year": 2022, "public": True},
    ),
    Chunk(
        id="d:0",
        file_id="d",
        content="orchard tools: ladders, baskets and pruning shears",
        embedding=_unit(0, 0, 0.6, 0.8),
        attributes={"kind": "tools", "year": 2023},
    ),
]


def _store(store_id: str) -> VectorStore:
    return VectorStore(
        id=store_id, provider_resource_id=store_id, embedding_model="test", embedding_dimension=DIMENSION
    )


class VectorIOConformance:
    """Base class of a backend's conformance tests; implement :meth:`open_provider`."""

    unsupported_modes: ClassVar[frozenset[SearchMode]] = frozenset()

    async def open_provider(self, directory: Path) -> Any:
        """A started (initialized) provider keeping its data under ``directory``."""
        raise NotImplementedError(f"{type(self).__name__} must implement open_provider()")

    async def close_provider(self, provider: Any) -> None:
        shutdown = optional_method(provider, "shutdown")
        if shutdown is not None:
            await shutdown()

    @pytest.fixture
    async def provider(self, tmp_path: Path) -> AsyncIterator[Any]:
        provider = await self.open_provider(tmp_path)
        try:
            yield provider
        finally:
            await self.close_provider(provider)

    @pytest.fixture
    async def store(self, provider: Any) -> str:
        await provider.register_vector_store(_store("vs_docs"))
        await provider.insert_chunks("vs_docs", [chunk.model_copy() for chunk in DOCUMENTS])
        return "vs_docs"

    async def _ids(self, provider: Any, store_id: str, **kwargs: Any) -> list[str]:
        kwargs.setdefault("query", "")
        kwargs.setdefault("query_embedding", None)
        results = await provider.query_chunks(store_id, **kwargs)
        return [item.chunk.id for item in results]

    def _skip_unless(self, mode: SearchMode) -> None:
        if mode in self.unsupported_modes:
            pytest.skip(f"{type(self).__name__} does not support {mode} search")

    # -- vector search --------------------------------------------------------------------------

    async def test_vector_search_ranks_by_similarity(self, provider: Any, store: str) -> None:
        results = await provider.query_chunks(store, "", _unit(1, 0.1, 0, 0), mode="vector", max_results=2)
        assert [item.chunk.id for item in results] == ["a:0", "b:0"]
        assert results[0].score > results[1].score
        top = results[0].chunk
        assert (top.content, top.file_id) == (DOCUMENTS[0].content, "a")
        assert top.attributes == {"kind": "fruit", "year": 2020, "public": True}

    async def test_max_results_limits_the_results(self, provider: Any, store: str) -> None:
        ids = await self._ids(provider, store, query_embedding=_unit(1, 1, 1, 1), mode="vector", max_results=3)
        assert len(ids) == 3

    async def test_wrong_dimension_is_refused(self, provider: Any, store: str) -> None:
        with pytest.raises(BadRequestError):
            await provider.insert_chunks(store, [Chunk(id="x", content="x", embedding=[1.0, 0.0])])
        with pytest.raises(BadRequestError):
            await provider.query_chunks(store, "", [1.0, 0.0], mode="vector")

    # -- filters --------------------------------------------------------------------------------

    @pytest.mark.parametrize(
        ("filters", "expected"),
        [
            ({"type": "eq", "key": "kind", "value": "fruit"}, {"a:0"}),
            ({"type": "ne", "key": "kind", "value": "fruit"}, {"b:0", "c:0", "d:0"}),
            ({"type": "gt", "key": "year", "value": 2021}, {"c:0", "d:0"}),
            ({"type": "gte", "key": "year", "value": 2021}, {"b:0", "c:0", "d:0"}),
            ({"type": "lt", "key": "year", "value": 2021}, {"a:0"}),
            ({"type": "lte", "key": "year", "value": 2021}, {"a:0", "b:0"}),
            ({"type": "in", "key": "kind", "value": ["fruit", "tools"]}, {"a:0", "d:0"}),
            ({"type": "nin", "key": "kind", "value": ["fruit", "tools"]}, {"b:0", "c:0"}),
            ({"type": "eq", "key": "public", "value": True}, {"a:0", "c:0"}),
            (
                {
                    "type": "and",
                    "filters": [
                        {"type": "gte", "key": "year", "value": 2021},
                        {"type": "eq", "key": "public", "value": True},
                    ],
                },
                {"c:0"},
            ),
            (
                {
                    "type": "or",
                    "filters": [
                        {"type": "eq", "key": "kind", "value": "fruit"},
                        {
                            "type": "and",
                            "filters": [
                                {"type": "eq", "key": "kind", "value": "tools"},
                                {"type": "gt", "key": "year", "value": 2022},
                            ],
                        },
                    ],
                },
                {"a:0", "d:0"},
            ),
            ({"type": "eq", "key": "missing", "value": "x"}, set()),
        ],
    )
    async def test_filters(self, provider: Any, store: str, filters: dict[str, Any], expected: set[str]) -> None:
        ids = await self._ids(
            provider, store, query_embedding=_unit(1, 1, 1, 1), mode="vector", max_results=10, filters=filters
        )
        assert set(ids) == expected

    async def test_filters_keep_recall_when_selective(self, provider: Any, store: str) -> None:
        """The only match is the least similar chunk: a filter applied after a top-k cut would lose it."""
        filters = {"type": "eq", "key": "kind", "value": "computing"}
        ids = await self._ids(
            provider, store, query_embedding=_unit(1, 0, 0, 0), mode="vector", max_results=1, filters=filters
        )
        assert ids == ["c:0"]

    # -- keyword and hybrid search ------------------------------------------------------------

    async def test_keyword_search_finds_the_words(self, provider: Any, store: str) -> None:
        self._skip_unless("keyword")
        ids = await self._ids(provider, store, query="processor threads", mode="keyword", max_results=10)
        assert ids == ["c:0"]
        ids = await self._ids(provider, store, query="orchard", mode="keyword", max_results=10)
        assert set(ids) == {"a:0", "d:0"}

    async def test_keyword_search_applies_filters(self, provider: Any, store: str) -> None:
        self._skip_unless("keyword")
        filters = {"type": "eq", "key": "kind", "value": "tools"}
        ids = await self._ids(provider, store, query="orchard", mode="keyword", max_results=10, filters=filters)
        assert ids == ["d:0"]

    async def test_hybrid_search_fuses_both_rankings(self, provider: Any, store: str) -> None:
        self._skip_unless("hybrid")
        # the vector points at c:0, the words at d:0; both rank high in the fused list
        ids = await self._ids(
            provider, store, query="ladders baskets", query_embedding=_unit(0, 0, 1, 0), mode="hybrid", max_results=2
        )
        assert set(ids) == {"c:0", "d:0"}

    @pytest.mark.parametrize("mode", ["vector", "keyword", "hybrid"])
    async def test_unsupported_modes_raise_a_clear_error(self, provider: Any, store: str, mode: SearchMode) -> None:
        if mode not in self.unsupported_modes:
            pytest.skip(f"{mode} is supported")
        with pytest.raises(NotImplementedByProviderError):
            await provider.query_chunks(store, "orchard", _unit(1, 0, 0, 0), mode=mode)

    # -- writes ---------------------------------------------------------------------------------

    async def test_delete_chunks_removes_them_from_every_search(self, provider: Any, store: str) -> None:
        await provider.delete_chunks(store, ["a:0", "d:0"])
        ids = await self._ids(provider, store, query_embedding=_unit(1, 1, 1, 1), mode="vector", max_results=10)
        assert set(ids) == {"b:0", "c:0"}
        if "keyword" not in self.unsupported_modes:
            assert await self._ids(provider, store, query="orchard", mode="keyword", max_results=10) == []

    async def test_inserting_an_existing_id_replaces_the_chunk(self, provider: Any, store: str) -> None:
        replacement = DOCUMENTS[0].model_copy(update={"content": "replaced text about plums"})
        await provider.insert_chunks(store, [replacement])
        results = await provider.query_chunks(store, "", _unit(1, 0, 0, 0), mode="vector", max_results=10)
        assert [item.chunk.id for item in results].count("a:0") == 1
        assert results[0].chunk.content == "replaced text about plums"

    async def test_concurrent_inserts_lose_and_duplicate_nothing(self, provider: Any) -> None:
        await provider.register_vector_store(_store("vs_busy"))
        batches = [
            [
                Chunk(
                    id=f"f{b}:{i}",
                    file_id=f"f{b}",
                    content=f"chunk {i} of file {b}",
                    embedding=_unit(1, b, i, 1),
                    attributes={"file": f"f{b}"},
                )
                for i in range(10)
            ]
            for b in range(12)
        ]
        # every batch twice, concurrently: a replay must replace its chunks, not duplicate them
        await asyncio.gather(*(provider.insert_chunks("vs_busy", batch) for batch in batches + batches))
        for batch in batches:
            ids = await self._ids(
                provider,
                "vs_busy",
                query_embedding=_unit(1, 1, 1, 1),
                mode="vector",
                max_results=50,
                filters={"type": "eq", "key": "file", "value": batch[0].file_id},
            )
            assert sorted(ids) == sorted(chunk.id for chunk in batch)

    # -- stores -----------------------------------------------------------------------------------

    async def test_stores_are_isolated(self, provider: Any, store: str) -> None:
        await provider.register_vector_store(_store("vs_other"))
        other = Chunk(id="a:0", file_id="a", content="same id, other store", embedding=_unit(1, 0, 0, 0))
        await provider.insert_chunks("vs_other", [other])
        ids = await self._ids(provider, "vs_other", query_embedding=_unit(1, 0, 0, 0), mode="vector", max_results=10)
        assert ids == ["a:0"]
        await provider.unregister_vector_store("vs_other")
        ids = await self._ids(provider, store, query_embedding=_unit(1, 0, 0, 0), mode="vector", max_results=10)
        assert len(ids) == len(DOCUMENTS)

    async def test_unregistered_store_is_gone(self, provider: Any, store: str) -> None:
        await provider.unregister_vector_store(store)
        with pytest.raises(PlugstackError):
            await provider.query_chunks(store, "", _unit(1, 0, 0, 0), mode="vector")

    async def test_data_survives_a_restart(self, tmp_path: Path) -> None:
        first = await self.open_provider(tmp_path)
        try:
            await first.register_vector_store(_store("vs_kept"))
            await first.insert_chunks("vs_kept", [chunk.model_copy() for chunk in DOCUMENTS])
            await first.delete_chunks("vs_kept", ["b:0"])
        finally:
            await self.close_provider(first)
        second = await self.open_provider(tmp_path)
        try:
            await second.register_vector_store(_store("vs_kept"))  # what the router does at start-up
            ids = await self._ids(second, "vs_kept", query_embedding=_unit(1, 0, 0, 0), mode="vector", max_results=10)
            assert ids[0] == "a:0" and set(ids) == {"a:0", "c:0", "d:0"}
        finally:
            await self.close_provider(second)
