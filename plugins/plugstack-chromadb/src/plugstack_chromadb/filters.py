"""OpenAI attribute filters as a Chroma ``where`` clause.

Chroma's operators map one to one (``$eq $ne $gt $gte $lt $lte $in $nin $and $or``);
Chroma wants two or more clauses under ``$and``/``$or``, so a compound of one is unwrapped.
"""

from __future__ import annotations

from typing import Any

from plugstack.retrieval.filters import ComparisonFilter, CompoundFilter

__all__ = ["chroma_where"]


def chroma_where(node: ComparisonFilter | CompoundFilter) -> dict[str, Any]:
    if isinstance(node, ComparisonFilter):
        return {node.key: {f"${node.type}": node.value}}
    clauses = [chroma_where(child) for child in node.filters]
    return clauses[0] if len(clauses) == 1 else {f"${node.type}": clauses}
