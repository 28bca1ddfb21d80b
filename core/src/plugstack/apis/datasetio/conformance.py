"""The datasetio conformance suite: one set of tests every datasetio provider passes.

A plugin adopts it by subclassing :class:`DatasetIOConformance` in its ``tests/`` folder::

    # plugins/plugstack-foo/tests/test_conformance.py
    from typing import Any
    from plugstack.testing.datasetio_conformance import DatasetIOConformance

    class TestFooConformance(DatasetIOConformance):
        dataset_id = "qa"                     # a dataset the stack serves...
        expected_rows = [{"question": "1+1?", "answer": "2"}, ...]   # ...its rows, in order (3 or more)
        provider_type = "inline::foo"         # checks the entry point (None: in-process plugin)
        unsupported = {"append_rows": "foo's datasets are read-only"}

        @classmethod
        def run_config(cls) -> dict[str, Any]:
            return {"distribution_name": "foo-datasets", "providers": {"datasetio": [...]},
                    "registered_resources": {"datasets": [{"dataset_id": "qa", ...}]}}

A dataset that cannot be declared before the stack starts (a file of the files API) is
made by overriding ``prepare_dataset(stack)``, which returns its id. Every test builds a
:class:`plugstack.Stack` in library mode inside the ``plugstack_cassette`` fixture, so a
provider that reads an upstream replays its recorded traffic.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any, ClassVar

import pytest
import pytest_asyncio

from plugstack.errors import BadRequestError, NotFoundError
from plugstack.stack import Stack
from plugstack.testing.suite import ConformanceSuite, requires

__all__ = ["FEATURES", "DatasetIOConformance"]

FEATURES: dict[str, str] = {
    "rows_source": "a dataset registered through the API with rows inline is served, then unregistered",
    "append_rows": "rows appended to a rows dataset come after its rows, also for the next reader",
}

_NEW_ROWS: list[dict[str, Any]] = [{"question": "2+2?", "answer": "4"}, {"question": "3+3?", "answer": "6"}]


class DatasetIOConformance(ConformanceSuite):
    """Base class of a datasetio provider's conformance tests (see the module docstring)."""

    api = "datasetio"
    features = FEATURES
    dataset_id: ClassVar[str]
    expected_rows: ClassVar[list[dict[str, Any]]]
    """The dataset's rows, in order, as the provider reads them (three or more)."""
    purpose: ClassVar[str] = "eval/question-answer"

    async def prepare_dataset(self, stack: Stack) -> str:
        """The id of the dataset under test; override to make one at run time (an uploaded file)."""
        return self.dataset_id

    @pytest_asyncio.fixture
    async def dataset(self, stack: Stack) -> str:
        assert len(self.expected_rows) >= 3, "expected_rows needs three rows or more to test paging"
        return await self.prepare_dataset(stack)

    async def register_rows(self, stack: Stack, rows: list[dict[str, Any]]) -> str:
        dataset_id = f"conformance-{uuid.uuid4().hex[:8]}"
        await stack.datasetio.register_dataset(
            dataset_id=dataset_id, purpose="eval/question-answer", source={"type": "rows", "rows": rows}
        )
        return dataset_id

    # -- tests ----------------------------------------------------------------------------

    async def test_the_dataset_is_listed(self, stack: Stack, dataset: str) -> None:
        found = stack.datasets.get(dataset)
        assert found.provider_id, "a listed dataset names the provider serving it"
        assert dataset in [d.id for d in stack.datasets.list()]

    async def test_every_row_in_order(self, stack: Stack, dataset: str) -> None:
        page = await stack.datasetio.iterrows(dataset)
        assert page.data == self.expected_rows
        assert page.has_more is False and page.next_start_index is None

    async def test_pages_of_two_add_up_to_the_rows(self, stack: Stack, dataset: str) -> None:
        rows: list[dict[str, Any]] = []
        start: int | None = 0
        pages = 0
        while start is not None:
            page = await stack.datasetio.iterrows(dataset, start_index=start, limit=2)
            assert len(page.data) <= 2
            assert page.has_more == (page.next_start_index is not None)
            rows.extend(page.data)
            start = page.next_start_index
            pages += 1
            assert pages <= len(self.expected_rows), "paging does not end"
        assert rows == self.expected_rows
        assert pages == (len(self.expected_rows) + 1) // 2

    async def test_a_page_in_the_middle(self, stack: Stack, dataset: str) -> None:
        page = await stack.datasetio.iterrows(dataset, start_index=1, limit=1)
        assert page.data == self.expected_rows[1:2]
        assert page.has_more and page.next_start_index == 2

    async def test_rows_iterates_every_row(self, stack: Stack, dataset: str) -> None:
        assert [row async for row in stack.datasetio.rows(dataset, page_size=2)] == self.expected_rows

    async def test_past_the_end_is_an_empty_last_page(self, stack: Stack, dataset: str) -> None:
        page = await stack.datasetio.iterrows(dataset, start_index=len(self.expected_rows) + 5, limit=3)
        assert page.data == [] and page.has_more is False and page.next_start_index is None

    @pytest.mark.parametrize(("params", "param"), [({"start_index": -1}, "start_index"), ({"limit": 0}, "limit")])
    async def test_bad_bounds_are_a_400(self, stack: Stack, dataset: str, params: dict[str, int], param: str) -> None:
        with pytest.raises(BadRequestError) as raised:
            await stack.datasetio.iterrows(dataset, **params)
        assert raised.value.param == param

    async def test_an_unknown_dataset_is_a_404(self, stack: Stack) -> None:
        with pytest.raises(NotFoundError, match="no-such-dataset"):
            await stack.datasetio.iterrows("no-such-dataset")

    async def test_concurrent_readers_get_the_same_pages(self, stack: Stack, dataset: str) -> None:
        pages = await asyncio.gather(*(stack.datasetio.iterrows(dataset, start_index=1, limit=2) for _ in range(8)))
        assert all(page.data == self.expected_rows[1:3] for page in pages)

    @requires("rows_source")
    async def test_a_rows_dataset_is_served_then_unregistered(self, stack: Stack) -> None:
        dataset_id = await self.register_rows(stack, _NEW_ROWS)
        assert (await stack.datasetio.iterrows(dataset_id)).data == _NEW_ROWS
        await stack.datasetio.unregister_dataset(dataset_id)
        with pytest.raises(NotFoundError):
            await stack.datasetio.iterrows(dataset_id)

    @requires("rows_source", "append_rows")
    async def test_appended_rows_follow_the_rows(self, stack: Stack) -> None:
        dataset_id = await self.register_rows(stack, _NEW_ROWS[:1])
        try:
            appended = await stack.datasetio.append_rows(dataset_id, rows=_NEW_ROWS[1:])
            assert appended.appended == 1
            assert (await stack.datasetio.iterrows(dataset_id)).data == _NEW_ROWS
            assert stack.datasets.get(dataset_id).source.type == "rows"
            page = await stack.datasetio.iterrows(dataset_id, start_index=1, limit=5)
            assert page.data == _NEW_ROWS[1:] and not page.has_more
        finally:
            await stack.datasetio.unregister_dataset(dataset_id)
