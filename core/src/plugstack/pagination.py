"""OpenAI's cursor pagination (``limit``, ``order``, ``after``, ``before``) over listed items."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from plugstack.errors import BadRequestError, NotFoundError

__all__ = ["paginate"]


class _Listed(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def created_at(self) -> int: ...


ItemT = TypeVar("ItemT", bound=_Listed)


def paginate(
    items: Sequence[ItemT], *, limit: int, order: str, after: str | None, before: str | None, max_limit: int
) -> tuple[list[ItemT], bool]:
    """One page of ``items`` ordered by ``(created_at, id)``, and whether more follow it."""
    if not 1 <= limit <= max_limit:
        raise BadRequestError(f"limit must be between 1 and {max_limit}", param="limit")
    if order not in ("asc", "desc"):
        raise BadRequestError(f"order must be 'asc' or 'desc', got {order!r}", param="order")
    ordered = sorted(items, key=lambda item: (item.created_at, item.id), reverse=order == "desc")
    ids = [item.id for item in ordered]
    for cursor, name in ((after, "after"), (before, "before")):
        if cursor is not None and cursor not in ids:
            raise NotFoundError(f"{cursor!r} (the {name!r} cursor) not found", param=name)
    if before is not None:
        ordered = ordered[: ids.index(before)]
    if after is not None:
        ordered = ordered[ids.index(after) + 1 :]
    return ordered[:limit], len(ordered) > limit
