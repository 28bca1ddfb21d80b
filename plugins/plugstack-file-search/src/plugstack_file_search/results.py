"""Search results of several vector stores: merged by score, then shown to a model and to code.

Two forms of one answer: text parts a model reads (numbered results, each with its file
name and score, so it can cite ``[1]``), and structured results in OpenAI's
``file_search_call.results`` shape (``file_id``, ``filename``, ``score``, ``text``,
``attributes``, plus the ``vector_store_id`` it came from), which a Responses
implementation copies into its output item and its citations.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field

from plugstack.apis.vector_stores.types import SearchResultsPage

__all__ = ["FileSearchResult", "content_parts", "merge_pages"]


class FileSearchResult(BaseModel):
    file_id: str
    filename: str
    score: float
    text: str
    attributes: dict[str, Any] = Field(default_factory=dict)
    vector_store_id: str


def merge_pages(pages: Sequence[tuple[str, SearchResultsPage]], limit: int) -> list[FileSearchResult]:
    """The ``limit`` best results of every ``(store id, page)``, best first.

    Scores of stores searched alike (the same mode; cosine similarity for vector search)
    compare directly; ties keep the order the stores were named in.
    """
    results = [
        FileSearchResult(
            file_id=item.file_id,
            filename=item.filename,
            score=item.score,
            text="\n".join(part.text for part in item.content),
            attributes=item.attributes,
            vector_store_id=store_id,
        )
        for store_id, page in pages
        for item in page.data
    ]
    results.sort(key=lambda result: -result.score)  # stable: ties stay in store order
    return results[:limit]


def content_parts(query: str, results: Sequence[FileSearchResult], max_chars: int | None) -> list[dict[str, Any]]:
    """The text parts a model reads: a header, one part per numbered result, and how to use them."""
    if not results:
        return [_text(f'file_search found no results for "{query}".')]
    parts = [_text(f'file_search found {len(results)} result{"s" if len(results) > 1 else ""} for "{query}":')]
    for number, result in enumerate(results, start=1):
        header = f"[{number}] {result.filename or result.file_id} (file_id: {result.file_id}, score: {result.score:.3f}"
        if result.attributes:
            header += f", attributes: {json.dumps(result.attributes, sort_keys=True, ensure_ascii=False)}"
        parts.append(_text(f"{header})\n{_cut(result.text, max_chars)}"))
    parts.append(
        _text(
            f'These results were retrieved to help answer "{query}": use them only where they are relevant, '
            "and cite each one you use by its number, like [1]."
        )
    )
    return parts


def _cut(text: str, max_chars: int | None) -> str:
    """``text`` cut to ``max_chars`` (an ellipsis included), so one long chunk cannot fill the context."""
    if max_chars is None or len(text) <= max_chars:
        return text
    return text[: max_chars - 1].rstrip() + "…"


def _text(text: str) -> dict[str, Any]:
    return {"type": "text", "text": text}
