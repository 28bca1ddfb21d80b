"""Batches: OpenAI's ``/v1/batches``, a file of chat completion or embeddings requests run in the background."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plugstack.apis.definition import ApiDefinition, lazy_reexport

if TYPE_CHECKING:
    from plugstack.apis.batches.types import (
        Batch,
        BatchError,
        BatchErrors,
        BatchList,
        BatchRequestCounts,
        BatchStatus,
        BatchUsage,
        CreateBatchRequest,
    )

__all__ = [
    "API",
    "Batch",
    "BatchError",
    "BatchErrors",
    "BatchList",
    "BatchRequestCounts",
    "BatchStatus",
    "BatchUsage",
    "CreateBatchRequest",
]

API = ApiDefinition(
    name="batches",
    description="OpenAI batches: a JSONL file of chat completion or embeddings requests, run in the background",
    router="plugstack.apis.batches.router:build_routers",
    needs=("files", "inference"),
    routes="plugstack.apis.batches.routes:routes",
    standalone=True,
)

__getattr__ = lazy_reexport(__name__, "types")
