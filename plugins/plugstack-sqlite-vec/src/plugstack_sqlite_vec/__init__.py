"""plugstack-sqlite-vec: the ``inline::sqlite-vec`` vector IO provider.

Chunks, their vectors (searched with the ``sqlite-vec`` extension) and an FTS5 full-text
index live in one SQLite file: vector, keyword (BM25) and hybrid search, offline.
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
            provider_type="inline::sqlite-vec",
            config_class="plugstack_sqlite_vec.config:SqliteVecConfig",
            adapter_factory="plugstack_sqlite_vec.provider:create_provider",
            # the vector stores router embeds through inference and reads files: start after both
            api_dependencies=[Api.inference],
            optional_api_dependencies=[Api.files],
            pip_packages=["plugstack-sqlite-vec"],
            # pysqlite3 is imported only where the stdlib sqlite3 cannot load extensions
            sdk_modules={"sqlite_vec": "sqlite-vec"},
            description="vector stores in one SQLite file: sqlite-vec for vectors, FTS5 BM25 for keywords, hybrid",
        )
    ]
