"""The APIs plugstack serves: one module per API, each pydantic types plus a Protocol.

``Api`` names them; each member has one registration hookspec
(``plugstack_<api>_providers``) in :mod:`plugstack.hookspecs`.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ROUTING_TABLE_APIS", "Api"]


class Api(StrEnum):
    """Every API a provider can implement."""

    inference = "inference"
    vector_io = "vector_io"
    files = "files"
    safety = "safety"
    tool_runtime = "tool_runtime"
    # Routing-table APIs: no provider implements them; the core builds them from the
    # providers of the auto-routed API they list resources for.
    models = "models"
    vector_stores = "vector_stores"
    shields = "shields"
    tool_groups = "tool_groups"

    @property
    def description(self) -> str:
        return _DESCRIPTIONS[self]


# routing-table API -> the auto-routed API whose providers own its resources
ROUTING_TABLE_APIS: dict[Api, Api] = {
    Api.models: Api.inference,
    Api.vector_stores: Api.vector_io,
    Api.shields: Api.safety,
    Api.tool_groups: Api.tool_runtime,
}

_DESCRIPTIONS = {
    Api.inference: "chat completions, completions and embeddings (OpenAI wire format), routed by model id",
    Api.vector_io: "vector stores: insert, delete and search chunks, routed by vector store id",
    Api.files: "file upload, listing, content and deletion",
    Api.safety: "shields that check messages, routed by shield id",
    Api.tool_runtime: "tools that agents can call, routed by tool group id",
    Api.models: "routing table of models: register, list, get, unregister",
    Api.vector_stores: "routing table of vector stores",
    Api.shields: "routing table of shields",
    Api.tool_groups: "routing table of tool groups",
}
