"""The backend-independent retrieval helpers: chunking, text extraction, filters, rank fusion."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from plugstack.apis.files import FileObject
from plugstack.errors import BadRequestError, NotFoundError
from plugstack.pagination import paginate
from plugstack.retrieval.chunking import StaticChunking, chunk_text
from plugstack.retrieval.extract import UnreadableFileError, extract_text
from plugstack.retrieval.filters import CompoundFilter, parse_filter
from plugstack.retrieval.fusion import reciprocal_rank_fusion


def test_chunks_are_overlapping_windows_of_the_original_text() -> None:
    text = "one two three, four\nfive six seven eight nine"
    assert chunk_text(text, 4, 2) == [
        "one two three,",
        "three, four\nfive",
        "four\nfive six seven",
        "six seven eight nine",
    ]
    assert chunk_text(text, 100, 0) == [text]
    assert chunk_text("  \n ", 4, 2) == []


def test_every_token_lands_in_a_chunk() -> None:
    words = [f"w{i}" for i in range(1000)]
    chunks = chunk_text(" ".join(words), 100, 30)
    assert all(len(chunk.split()) <= 100 for chunk in chunks)
    assert {w for chunk in chunks for w in chunk.split()} == set(words)
    assert chunks[1].split()[:30] == chunks[0].split()[-30:]


@pytest.mark.parametrize(("size", "overlap"), [(99, 0), (4097, 0), (200, 101), (100, -1)])
def test_static_chunking_bounds(size: int, overlap: int) -> None:
    with pytest.raises(ValidationError):
        StaticChunking(max_chunk_size_tokens=size, chunk_overlap_tokens=overlap)


def test_html_text_skips_scripts_and_keeps_blocks() -> None:
    html = b"<html><head><title>T</title><script>var x = 1;</script></head><body><p>One &lt;two&gt;</p><div>Three</div></body></html>"
    assert extract_text(html, "page.htm") == "T\nOne <two>\nThree"


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"\x00\x01binary", "data.txt", "looks binary"),
        (b"PK\x03\x04", "archive.zip", "unsupported file type '.zip'"),
        (b"\xff\xfe\xfa", "bad.md", "not valid UTF-8"),
    ],
)
def test_unreadable_content(content: bytes, filename: str, message: str) -> None:
    with pytest.raises(UnreadableFileError, match=message):
        extract_text(content, filename)


def test_text_without_suffix_and_bom_is_read() -> None:
    assert extract_text("\ufeffplain".encode(), "README") == "plain"


def test_filters_parse_nested_and_reject_bad_shapes() -> None:
    parsed = parse_filter(
        {
            "type": "or",
            "filters": [
                {"type": "eq", "key": "a", "value": 1},
                {"type": "and", "filters": [{"type": "in", "key": "b", "value": ["x", "y"]}]},
            ],
        }
    )
    assert isinstance(parsed, CompoundFilter) and isinstance(parsed.filters[1], CompoundFilter)
    for bad in (
        {"type": "in", "key": "a", "value": "not a list"},
        {"type": "eq", "key": "a", "value": [1]},
        {"type": "and", "filters": []},
        {"type": "eq", "key": "", "value": 1},
    ):
        with pytest.raises(ValidationError):
            parse_filter(bad)


def test_reciprocal_rank_fusion() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["c", "a", "d"]], k=60)
    assert [key for key, _ in fused] == ["a", "c", "b", "d"]
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 62)
    assert reciprocal_rank_fusion([]) == []


def test_cursor_pagination() -> None:
    items = [
        FileObject(id=f"file-{i}", bytes=1, filename="f", purpose="assistants", created_at=100 + i) for i in range(5)
    ]
    ids = lambda page: [item.id for item in page]  # noqa: E731
    page, more = paginate(items, limit=2, order="asc", after=None, before=None, max_limit=10)
    assert (ids(page), more) == (["file-0", "file-1"], True)
    page, more = paginate(items, limit=2, order="asc", after="file-1", before=None, max_limit=10)
    assert (ids(page), more) == (["file-2", "file-3"], True)
    page, more = paginate(items, limit=10, order="desc", after=None, before="file-2", max_limit=10)
    assert (ids(page), more) == (["file-4", "file-3"], False)
    with pytest.raises(NotFoundError, match="cursor"):
        paginate(items, limit=2, order="asc", after="file-9", before=None, max_limit=10)
    with pytest.raises(BadRequestError, match="limit"):
        paginate(items, limit=11, order="asc", after=None, before=None, max_limit=10)
