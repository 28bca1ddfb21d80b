"""The datasets routing table: which datasetio provider serves each dataset (see :mod:`plugstack.routing_table`)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from plugstack.apis.datasets.types import Dataset, RegisterDatasetRequest
from plugstack.resource_table import ResourceTable
from plugstack.routing_table import RoutingTable
from plugstack.storage import KVStore

__all__ = ["DatasetsTable", "datasets_table"]

DatasetsTable = RoutingTable[Dataset, RegisterDatasetRequest]


def datasets_table(providers: Mapping[str, Any], kvstore: KVStore) -> DatasetsTable:
    table = ResourceTable("dataset", Dataset, providers, kvstore, key_prefix="datasets/", id_param="dataset_id")
    return RoutingTable(table, RegisterDatasetRequest, _dataset, method_suffix="dataset", config_key="datasets")


def _dataset(request: RegisterDatasetRequest, provider_id: str) -> Dataset:
    dataset_id = request.dataset_id or f"dataset-{secrets.token_hex(12)}"
    return Dataset(
        id=dataset_id,
        provider_id=provider_id,
        provider_resource_id=request.provider_dataset_id or dataset_id,
        purpose=request.purpose,
        source=request.source,
        metadata=request.metadata,
    )
