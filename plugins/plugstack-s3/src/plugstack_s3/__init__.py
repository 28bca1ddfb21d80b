"""plugstack-s3: the ``remote::s3`` files provider.

This module is what the entry point loads at discovery time, so it does not import boto3:
the spec names the adapter by import path.
"""

from __future__ import annotations

import plugstack
from plugstack.apis import Api
from plugstack.provider_spec import ProviderSpec

__all__ = ["plugstack_files_providers"]


@plugstack.hookimpl
def plugstack_files_providers() -> list[ProviderSpec]:
    return [
        ProviderSpec(
            api=Api.files,
            provider_type="remote::s3",
            config_class="plugstack_s3.config:S3FilesConfig",
            adapter_factory="plugstack_s3.adapter:create_provider",
            pip_packages=["plugstack-s3"],
            sdk_modules={"boto3": "boto3", "botocore": "boto3"},
            description="file contents in an S3 (or S3-compatible) bucket through boto3, records in SQL",
        )
    ]
