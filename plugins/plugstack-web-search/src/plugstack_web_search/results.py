"""Search results as the ``web_search`` tool answers them, whichever API found them.

A model reads ``content``: a numbered list of title, URL and snippet. A program reads
``metadata["results"]``: the same hits as objects with ``title``, ``url``, ``content``
and, when the API ranks them (Tavily does, Brave does not), ``score``.
"""

from __future__ import annotations

import html
import re
from typing import Any

from pydantic import BaseModel

__all__ = ["SearchHit", "format_hits", "plain_text"]

_TAG = re.compile(r"<[^>]+>")


class SearchHit(BaseModel):
    title: str
    url: str
    content: str = ""
    score: float | None = None

    def as_metadata(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


def plain_text(snippet: str) -> str:
    """``snippet`` without HTML markup: Brave highlights matches as ``<strong>...</strong>``."""
    return " ".join(html.unescape(_TAG.sub("", snippet)).split())


def format_hits(query: str, hits: list[SearchHit]) -> str:
    """The text a model reads: one numbered entry per hit, or a line saying there were none."""
    if not hits:
        return f"No web results for {query!r}."
    entries = []
    for number, hit in enumerate(hits, start=1):
        lines = [f"{number}. {hit.title or hit.url}", f"   {hit.url}"]
        if hit.content:
            lines.append(f"   {hit.content}")
        entries.append("\n".join(lines))
    return "\n\n".join(entries)
