"""plugstack-chromadb: ``inline::chromadb`` (an embedded PersistentClient) and ``remote::chromadb``.

This module is what the entry point loads at discovery time, so it does not import
chromadb: the specs name the adapter by import path. Both providers depend on the
inference API (and optionally files) so that the vector stores router, which embeds
through inference and reads files, starts after both.
"""

from __future__ import annotations

import plugstack
from plugstack.apis import Api
from plugstack.provider_spec import ProviderSpec

__all__ = ["plugstack_vector_io_providers"]


@plugstack.hookimpl
def plugstack_vector_io_providers() -> list[ProviderSpec]:
    return [
        ProviderSpec(
            api=Api.vector_io,
            provider_type="inline::chromadb",
            config_class="plugstack_chromadb.config:ChromaInlineConfig",
            adapter_factory="plugstack_chromadb.adapter:create_inline_provider",
            api_dependencies=[Api.inference],
            optional_api_dependencies=[Api.files],
            pip_packages=["plugstack-chromadb"],
            sdk_modules={"chromadb": "chromadb"},
            description="vector stores in an embedded Chroma database (a directory); vector search",
        ),
        ProviderSpec(
            api=Api.vector_io,
            provider_type="remote::chromadb",
            config_class="plugstack_chromadb.config:ChromaRemoteConfig",
            adapter_factory="plugstack_chromadb.adapter:create_remote_provider",
            api_dependencies=[Api.inference],
            optional_api_dependencies=[Api.files],
            pip_packages=["plugstack-chromadb"],
            sdk_modules={"chromadb": "chromadb"},
            description="vector stores on a Chroma server (chromadb.HttpClient); vector search",
        ),
    ]
