"""Text extraction: the text of an uploaded file, by its type, or a reason it has none.

Plain text and Markdown are decoded as they are (Markdown reads well as text and its
headings help keyword search); HTML loses its tags, scripts and styles; PDF goes through
``pypdf``. Anything else fails with :class:`UnreadableFileError`, which the vector stores
router records as the file's ``last_error`` instead of crashing the ingestion.
"""

from __future__ import annotations

import io
from html.parser import HTMLParser
from pathlib import PurePath

__all__ = ["TEXT_SUFFIXES", "UnreadableFileError", "extract_text"]

TEXT_SUFFIXES = frozenset(
    {".txt", ".md", ".markdown", ".rst", ".csv", ".tsv", ".json", ".jsonl", ".xml", ".yaml", ".yml", ".log", ".py"}
)
_HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})


class UnreadableFileError(Exception):
    """The file's text cannot be extracted; the message says why, for ``last_error``."""


def extract_text(content: bytes, filename: str) -> str:
    """The text of ``content``, judged by the suffix of ``filename`` (and a PDF's magic bytes)."""
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".pdf" or content.startswith(b"%PDF-"):
        return _pdf_text(content, filename)
    if suffix in _HTML_SUFFIXES:
        return _html_text(_decode(content, filename))
    if suffix in TEXT_SUFFIXES or not suffix:
        return _decode(content, filename)
    supported = ", ".join(sorted(TEXT_SUFFIXES | _HTML_SUFFIXES | {".pdf"}))
    raise UnreadableFileError(f"unsupported file type {suffix!r} of {filename!r}; supported: {supported}")


def _decode(content: bytes, filename: str) -> str:
    if b"\x00" in content[:8192]:
        raise UnreadableFileError(f"{filename!r} looks binary (it contains NUL bytes), not text")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFileError(f"{filename!r} is not valid UTF-8 text: {exc.reason} at byte {exc.start}") from None


def _pdf_text(content: bytes, filename: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(content))
        return "\n\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, ValueError, KeyError) as exc:
        raise UnreadableFileError(f"{filename!r} is not a readable PDF: {exc}") from None


def _html_text(html: str) -> str:
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    return parser.text()


class _TextParser(HTMLParser):
    """Collects text outside ``script``/``style``, with line breaks at block elements."""

    _SKIP = frozenset({"script", "style", "noscript", "template"})
    _BLOCK = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "pre"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCK:
            self._parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1
        elif tag in self._BLOCK:
            self._parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._parts.append(data)

    def text(self) -> str:
        lines = (" ".join(line.split()) for line in "".join(self._parts).splitlines())
        return "\n".join(line for line in lines if line)
