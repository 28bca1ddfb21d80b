"""Attribute filters for vector store search, in OpenAI's shape.

A comparison ``{"type": "eq", "key": "author", "value": "Ann"}`` (``eq ne gt gte lt lte in
nin``) or a compound ``{"type": "and" | "or", "filters": [...]}``. The router validates a
filter into these models once, so every backend receives a well-formed tree and reports
the same 400 for a bad one. Keys may not contain ``"`` (backends quote them in paths).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator

__all__ = ["ComparisonFilter", "CompoundFilter", "Filter", "parse_filter"]

Scalar = str | int | float | bool


class ComparisonFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["eq", "ne", "gt", "gte", "lt", "lte", "in", "nin"]
    key: str = Field(min_length=1)
    value: Scalar | list[Scalar]

    @field_validator("key")
    @classmethod
    def _plain_key(cls, key: str) -> str:
        if '"' in key:
            raise ValueError('filter keys must not contain "')
        return key

    @model_validator(mode="after")
    def _list_only_for_membership(self) -> ComparisonFilter:
        if (self.type in ("in", "nin")) != isinstance(self.value, list):
            raise ValueError(
                f"filter type {self.type!r} takes {'a list' if self.type in ('in', 'nin') else 'one value'}"
            )
        return self


class CompoundFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["and", "or"]
    filters: list[Annotated[ComparisonFilter | CompoundFilter, Field(union_mode="left_to_right")]] = Field(min_length=1)


Filter = Annotated[ComparisonFilter | CompoundFilter, Field(union_mode="left_to_right")]
_adapter: TypeAdapter[ComparisonFilter | CompoundFilter] = TypeAdapter(Filter)


def parse_filter(raw: dict[str, Any] | ComparisonFilter | CompoundFilter) -> ComparisonFilter | CompoundFilter:
    """Validate ``raw``; raises ``pydantic.ValidationError``."""
    if isinstance(raw, ComparisonFilter | CompoundFilter):
        return raw
    return _adapter.validate_python(raw)
