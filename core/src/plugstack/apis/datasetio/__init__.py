"""DatasetIO: the rows of datasets, read page by page and appended to."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plugstack.apis.definition import ApiDefinition, lazy_reexport

if TYPE_CHECKING:
    from plugstack.apis.datasetio.provider import DatasetIO, RowPage
    from plugstack.apis.datasetio.types import AppendRowsRequest, AppendRowsResponse, IterRowsResponse, Row

__all__ = ["API", "AppendRowsRequest", "AppendRowsResponse", "DatasetIO", "IterRowsResponse", "Row", "RowPage"]

API = ApiDefinition(
    name="datasetio",
    description="rows of datasets (JSONL, CSV, Parquet, inline), read page by page and appended to",
    hookspecs="plugstack.apis.datasetio.hookspec",
    registration_hook="plugstack_datasetio_providers",
    protocol="plugstack.apis.datasetio.provider:DatasetIO",
    optional_methods=frozenset({"list_datasets", "register_dataset", "unregister_dataset", "append_rows"}),
    router="plugstack.apis.datasetio.router:build_routers",
    routing_table="datasets",
    routes="plugstack.apis.datasetio.routes:routes",
    resources=("datasets",),
)

__getattr__ = lazy_reexport(__name__, "types", "provider")
