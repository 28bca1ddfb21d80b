"""Parquet rows by row group: a page decodes only the row groups it overlaps.

pyarrow cannot start decoding in the middle of a row group, so the decoded groups are
kept in the provider's :class:`~plugstack_datasetio_local.cache.BoundedCache`: paging
through a file of one large group decodes it once, not once a page. pyarrow is imported
here only, when a Parquet dataset is first read.
"""

from __future__ import annotations

from collections.abc import Hashable
from itertools import accumulate
from typing import IO, TYPE_CHECKING, Any, cast

from plugstack.apis.datasetio import Row
from plugstack.errors import BadRequestError, NotImplementedByProviderError
from plugstack_datasetio_local.cache import BoundedCache

if TYPE_CHECKING:
    import pyarrow

__all__ = ["read_parquet"]


def read_parquet(
    source: str | IO[bytes], start: int, limit: int | None, cache: BoundedCache, key: tuple[Hashable, ...], where: str
) -> tuple[list[Row], int]:
    """Rows ``start`` to ``start + limit`` (or the end) and the file's row count; ``key`` prefixes its cached groups."""
    pq = _parquet()
    try:
        parquet_file = pq.ParquetFile(source)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError...: all mean "not a Parquet file"
        raise BadRequestError(
            f"{where}: not a readable Parquet file ({exc})", param="dataset_id", code="invalid_row"
        ) from None
    metadata = parquet_file.metadata
    sizes = [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)]
    total = sum(sizes)
    stop = total if limit is None else min(total, start + limit)
    rows: list[Row] = []
    for group, (group_end, size) in enumerate(zip(accumulate(sizes), sizes, strict=True)):
        group_start = group_end - size
        if group_end <= start or group_start >= stop:
            continue
        table = _row_group(parquet_file, group, cache, (*key, group))
        first = max(start, group_start) - group_start
        rows.extend(table.slice(first, min(stop, group_end) - group_start - first).to_pylist())
    return rows, total


def _row_group(parquet_file: Any, group: int, cache: BoundedCache, key: Hashable) -> pyarrow.Table:
    cached = cache.get(key)
    if cached is not None:
        return cast("pyarrow.Table", cached)
    table = cast("pyarrow.Table", parquet_file.read_row_group(group))
    cache.put(key, table, table.nbytes)
    return table


def _parquet() -> Any:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise NotImplementedByProviderError(
            "reading Parquet datasets needs pyarrow: pip install pyarrow", param="dataset_id"
        ) from None
    return pq
