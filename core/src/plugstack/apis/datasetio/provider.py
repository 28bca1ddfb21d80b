"""What a datasetio provider implements (auto-routed by dataset id)."""

from __future__ import annotations

from typing import NamedTuple, Protocol

from plugstack.apis.datasetio.types import Row
from plugstack.apis.datasets.types import Dataset

__all__ = ["DatasetIO", "RowPage"]


class RowPage(NamedTuple):
    """Rows from ``start_index`` on, and whether the dataset has rows after them."""

    rows: list[Row]
    has_more: bool


class DatasetIO(Protocol):
    """A datasetio provider: it reads the rows of the datasets it serves.

    ``iterrows`` gets the whole :class:`Dataset` (its ``source``, ``metadata`` and
    ``provider_resource_id``), a ``start_index`` of 0 or more and a ``limit`` of 1 or more,
    or ``None`` for every row from ``start_index`` on (the router has checked both). A
    ``start_index`` past the last row is an empty page, not an error. A row the provider
    cannot read (a malformed JSONL line) is a :class:`~plugstack.errors.BadRequestError`
    naming the line; a page must not cost a read of the whole dataset when the format
    allows seeking.

    Optional methods :

    - ``async list_datasets() -> list[Dataset]``: datasets served without registration;
    - ``async register_dataset(dataset: Dataset) -> None``: check a dataset's source when
      it is registered (raise :class:`~plugstack.errors.BadRequestError` for one it cannot
      read), so that a bad URI fails at registration, not at the first read;
    - ``async unregister_dataset(dataset: Dataset) -> None``: drop what it caches for it;
    - ``async append_rows(dataset: Dataset, rows: list[Row]) -> Dataset | None``: add rows
      after the last. It answers the dataset as it now is when the rows live in the resource
      itself (a ``rows`` source: the router persists it), ``None`` when they went to a file.
      A dataset it cannot append to raises
      :class:`~plugstack.errors.NotImplementedByProviderError` saying why.
    """

    async def iterrows(self, dataset: Dataset, start_index: int, limit: int | None) -> RowPage: ...
