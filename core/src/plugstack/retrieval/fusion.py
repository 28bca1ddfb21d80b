"""Reciprocal rank fusion: how hybrid search merges vector and keyword results.

Each result list votes ``1 / (k + rank)`` (rank from 1) for each of its items; items are
ordered by the sum of their votes. Ranks, not scores, are fused, so cosine similarities
and BM25 scores need no common scale. ``k = 60`` is the constant of Cormack et al. (2009).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

__all__ = ["RRF_K", "reciprocal_rank_fusion"]

RRF_K = 60
KeyT = TypeVar("KeyT", bound=Hashable)


def reciprocal_rank_fusion(rankings: Sequence[Sequence[KeyT]], k: int = RRF_K) -> list[tuple[KeyT, float]]:
    """``(key, fused score)`` for every key of ``rankings``, best first (ties keep first-seen order)."""
    scores: dict[KeyT, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda item: -item[1])
