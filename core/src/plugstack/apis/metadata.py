"""``Metadata``: OpenAI's ``metadata`` field, as every API that stores objects takes it.

At most 16 string pairs, keys up to 64 characters, values up to 512: OpenAI's bounds, so
that what plugstack stores OpenAI would accept too.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

__all__ = ["Metadata"]


def _check_metadata(metadata: dict[str, str]) -> dict[str, str]:
    if len(metadata) > 16:
        raise ValueError(f"at most 16 key-value pairs, got {len(metadata)}")
    for key, value in metadata.items():
        if len(key) > 64:
            raise ValueError(f"key {key[:64]!r}... is longer than 64 characters")
        if len(value) > 512:
            raise ValueError(f"the value of {key!r} is longer than 512 characters")
    return metadata


Metadata = Annotated[dict[str, str], AfterValidator(_check_metadata)]
"""OpenAI's ``metadata``: at most 16 string pairs, keys up to 64 characters, values up to 512."""
