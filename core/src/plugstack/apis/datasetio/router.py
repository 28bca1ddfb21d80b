"""The datasetio router: what ``stack.datasetio`` is, in library and server mode alike.

It routes ``iterrows`` and ``append_rows`` to the provider serving the dataset (through
the datasets routing table, which it builds), checks the page bounds every provider would
otherwise check alike, and computes ``next_start_index``. :meth:`DatasetIORouter.rows`
gives every row page by page, for scoring and eval.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pluggy

from plugstack.api_call import call_api
from plugstack.apis.datasetio.provider import RowPage
from plugstack.apis.datasetio.types import AppendRowsRequest, AppendRowsResponse, IterRowsResponse, Row
from plugstack.apis.datasets.table import DatasetsTable, datasets_table
from plugstack.apis.datasets.types import Dataset, RegisterDatasetRequest
from plugstack.apis.definition import RouterContext
from plugstack.errors import BadRequestError, NotImplementedByProviderError
from plugstack.protocols import optional_method
from plugstack.validation import validate_request

__all__ = ["DatasetIORouter", "build_routers"]


async def build_routers(context: RouterContext) -> dict[str, object]:
    """The datasetio router and the datasets table it routes by."""
    datasets = datasets_table(context.providers, context.kvstore)
    await datasets.initialize(context.resources["datasets"])
    return {"datasetio": DatasetIORouter(datasets, context.pm), "datasets": datasets}


class DatasetIORouter:
    def __init__(self, datasets: DatasetsTable, pm: pluggy.PluginManager) -> None:
        self.datasets = datasets
        self.pm = pm

    async def register_dataset(self, request: RegisterDatasetRequest | None = None, /, **params: Any) -> Dataset:
        """Register a dataset with its provider (which checks its source); a 409 if the id is taken."""
        request = validate_request(RegisterDatasetRequest, request, params)
        return await self.datasets.register(request)

    async def unregister_dataset(self, dataset_id: str) -> Dataset:
        return await self.datasets.unregister(dataset_id)

    async def iterrows(
        self, dataset_id: str, start_index: int | None = None, limit: int | None = None
    ) -> IterRowsResponse:
        """Rows ``start_index`` (default 0) on: ``limit`` of them, or all with ``None`` or -1."""
        start = 0 if start_index is None else start_index
        if start < 0:
            raise BadRequestError(f"start_index must be 0 or more, got {start}", param="start_index")
        if limit is not None and limit != -1 and limit < 1:
            raise BadRequestError(f"limit must be 1 or more (or -1 for every row), got {limit}", param="limit")
        dataset = self.datasets.get(dataset_id)
        provider = self.datasets.provider(dataset)
        page: RowPage = await call_api(
            self.pm,
            "datasetio",
            "iterrows",
            provider.iterrows,
            dataset=dataset,
            start_index=start,
            limit=None if limit == -1 else limit,
        )
        rows, has_more = page
        return IterRowsResponse(data=rows, has_more=has_more, next_start_index=start + len(rows) if has_more else None)

    async def rows(self, dataset_id: str, *, page_size: int = 1000) -> AsyncIterator[Row]:
        """Every row of the dataset, in order, ``page_size`` at a time (never the whole dataset at once)."""
        start: int | None = 0
        while start is not None:
            page = await self.iterrows(dataset_id, start_index=start, limit=page_size)
            for row in page.data:
                yield row
            start = page.next_start_index

    async def append_rows(
        self, dataset_id: str, request: AppendRowsRequest | None = None, /, **params: Any
    ) -> AppendRowsResponse:
        """Add ``rows`` after the dataset's last row; a 501 from a provider or source that cannot."""
        request = validate_request(AppendRowsRequest, request, params)
        dataset = self.datasets.get(dataset_id)
        provider = self.datasets.provider(dataset)
        append = optional_method(provider, "append_rows")
        if append is None:
            raise NotImplementedByProviderError(
                f"dataset {dataset.id!r}: its provider {dataset.provider_id!r} does not append rows",
                param="dataset_id",
            )
        updated: Dataset | None = await call_api(
            self.pm, "datasetio", "append_rows", append, dataset=dataset, rows=request.rows
        )
        if updated is not None:
            await self.datasets.table.save(updated)
        return AppendRowsResponse(dataset_id=dataset.id, appended=len(request.rows))
