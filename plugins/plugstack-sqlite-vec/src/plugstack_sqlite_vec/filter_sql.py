"""OpenAI attribute filters as a SQL condition over the ``attributes`` JSON column.

Values are bound parameters, never spliced into SQL; the key goes into a JSON path
(``$."key"``), also bound, and the core's filter model forbids ``"`` in keys. A chunk that
lacks the key matches ``ne`` and ``nin`` (it is not equal to the value) and no other
comparison. JSON ``true``/``false`` read as 1/0, as Python's ``True``/``False`` bind.
"""

from __future__ import annotations

from typing import Any

from plugstack.retrieval.filters import ComparisonFilter, CompoundFilter

__all__ = ["filter_sql"]

_COMPARE = {"eq": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
_VALUE = "json_extract(attributes, ?)"


def filter_sql(node: ComparisonFilter | CompoundFilter) -> tuple[str, list[Any]]:
    """``(condition, parameters)`` for ``node``."""
    if isinstance(node, CompoundFilter):
        parts = [filter_sql(child) for child in node.filters]
        joiner = " AND " if node.type == "and" else " OR "
        return joiner.join(f"({sql})" for sql, _ in parts), [p for _, params in parts for p in params]
    path = f'$."{node.key}"'
    if node.type in _COMPARE:
        return f"{_VALUE} {_COMPARE[node.type]} ?", [path, node.value]
    if node.type == "ne":
        return f"{_VALUE} IS NOT ?", [path, node.value]
    values = node.value if isinstance(node.value, list) else [node.value]
    marks = ", ".join("?" * len(values))
    if node.type == "in":
        return f"{_VALUE} IN ({marks})", [path, *values]
    return f"({_VALUE} IS NULL OR {_VALUE} NOT IN ({marks}))", [path, path, *values]
