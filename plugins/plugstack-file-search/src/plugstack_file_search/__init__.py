"""plugstack-file-search: the ``inline::file-search`` tool runtime provider.

It serves tool groups holding one tool, ``file_search``, which searches plugstack's own
vector stores (through the vector stores router, as ``POST /v1/vector_stores/{id}/search``
does) and answers with ranked, citable chunks. This module only registers the provider:
the adapter is imported when a run config uses it.
"""

from __future__ import annotations

import plugstack
from plugstack.apis import Api
from plugstack.provider_spec import ProviderSpec

__all__ = ["plugstack_tool_runtime_providers"]


@plugstack.hookimpl
def plugstack_tool_runtime_providers() -> list[ProviderSpec]:
    return [
        ProviderSpec(
            api=Api.tool_runtime,
            provider_type="inline::file-search",
            config_class="plugstack_file_search.config:FileSearchConfig",
            adapter_factory="plugstack_file_search.provider:create_provider",
            # the tool searches through the vector stores router: start after it
            api_dependencies=[Api.vector_io],
            pip_packages=["plugstack-file-search"],
            description="file_search tool (RAG) over plugstack's vector stores: ranked chunks with citations",
        )
    ]
