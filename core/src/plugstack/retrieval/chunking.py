"""Static chunking by tokens, as OpenAI's ``chunking_strategy`` describes it.

A token here is a word or a punctuation mark (``\\w+|[^\\w\\s]``): no tokenizer is
downloaded, and for English text it is close to the BPE token count OpenAI's limits are
stated in. Chunks are spans of the original text, so whitespace and line breaks survive.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["AutoChunkingStrategy", "ChunkingStrategy", "StaticChunking", "StaticChunkingStrategy", "chunk_text"]

_TOKEN = re.compile(r"\w+|[^\w\s]")


class StaticChunking(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_chunk_size_tokens: int = Field(default=800, ge=100, le=4096)
    chunk_overlap_tokens: int = Field(default=400, ge=0)

    @model_validator(mode="after")
    def _overlap_at_most_half(self) -> StaticChunking:
        if self.chunk_overlap_tokens > self.max_chunk_size_tokens // 2:
            raise ValueError("chunk_overlap_tokens must not exceed half of max_chunk_size_tokens")
        return self


class StaticChunkingStrategy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["static"] = "static"
    static: StaticChunking = Field(default_factory=StaticChunking)


class AutoChunkingStrategy(BaseModel):
    """OpenAI's default: static chunks of 800 tokens overlapping by 400."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["auto"] = "auto"

    def resolved(self) -> StaticChunkingStrategy:
        return StaticChunkingStrategy()


ChunkingStrategy = AutoChunkingStrategy | StaticChunkingStrategy


def chunk_text(text: str, max_tokens: int, overlap_tokens: int) -> list[str]:
    """Windows of ``max_tokens`` tokens, each starting ``max_tokens - overlap_tokens`` after the last."""
    spans = [m.span() for m in _TOKEN.finditer(text)]
    if not spans:
        return []
    step = max_tokens - overlap_tokens
    chunks = []
    for start in range(0, len(spans), step):
        window = spans[start : start + max_tokens]
        chunks.append(text[window[0][0] : window[-1][1]])
        if start + max_tokens >= len(spans):
            break
    return chunks
