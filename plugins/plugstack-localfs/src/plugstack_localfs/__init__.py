"""plugstack-localfs: the ``inline::localfs`` files provider (a directory plus a metadata table)."""

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
            provider_type="inline::localfs",
            config_class="plugstack_localfs.config:LocalFSConfig",
            adapter_factory="plugstack_localfs.provider:create_provider",
            pip_packages=["plugstack-localfs"],
            description="files stored in a local directory, metadata in SQLite or PostgreSQL",
        )
    ]
