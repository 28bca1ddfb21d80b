"""plugstack-datasetio-local: the ``inline::localfs`` datasetio provider (JSONL, CSV, Parquet, inline rows)."""

from __future__ import annotations

import plugstack
from plugstack.apis import Api
from plugstack.provider_spec import ProviderSpec

__all__ = ["plugstack_datasetio_providers"]


@plugstack.hookimpl
def plugstack_datasetio_providers() -> list[ProviderSpec]:
    return [
        ProviderSpec(
            api=Api.datasetio,
            provider_type="inline::localfs",
            config_class="plugstack_datasetio_local.config:LocalDatasetIOConfig",
            adapter_factory="plugstack_datasetio_local.adapter:create_provider",
            optional_api_dependencies=[Api.files],
            pip_packages=["plugstack-datasetio-local"],
            description="dataset rows from JSONL, CSV and Parquet files (local paths or the files API) or inline",
        )
    ]
