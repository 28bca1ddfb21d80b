"""Datasets: the routing table that maps a dataset id to the datasetio provider serving it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plugstack.apis.definition import ApiDefinition, lazy_reexport

if TYPE_CHECKING:
    from plugstack.apis.datasets.types import (
        Dataset,
        DatasetList,
        DatasetPurpose,
        DataSource,
        RegisterDatasetRequest,
        RowsDataSource,
        URIDataSource,
    )

__all__ = [
    "API",
    "DataSource",
    "Dataset",
    "DatasetList",
    "DatasetPurpose",
    "RegisterDatasetRequest",
    "RowsDataSource",
    "URIDataSource",
]

API = ApiDefinition(
    name="datasets",
    description="routing table of datasets: register, list, get, unregister",
    table_of="datasetio",
    routes="plugstack.apis.datasets.routes:routes",
)

__getattr__ = lazy_reexport(__name__, "types")
