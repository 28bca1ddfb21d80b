"""DatasetIO's types: pages of rows (Llama Stack's ``PaginatedResponse``) and appending rows."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["AppendRowsRequest", "AppendRowsResponse", "IterRowsResponse", "Row"]

Row = dict[str, Any]
"""One row of a dataset: a JSON object, column name to value."""


class IterRowsResponse(BaseModel):
    """``GET /v1/datasetio/iterrows/{dataset_id}``: one page of rows.

    ``has_more`` is Llama Stack's; ``next_start_index`` is the ``start_index`` of the next
    page (``None`` on the last one), so a reader never computes it.
    """

    data: list[Row]
    has_more: bool = False
    next_start_index: int | None = None


class AppendRowsRequest(BaseModel):
    """``POST /v1/datasetio/append-rows/{dataset_id}``."""

    model_config = ConfigDict(extra="forbid")

    rows: list[Row] = Field(min_length=1)


class AppendRowsResponse(BaseModel):
    dataset_id: str
    appended: int
