"""JSONL and CSV rows by byte offset: index a file once, then read any page by seeking to its first row.

The index holds the offset of each row's first byte (8 bytes a row), so a page costs a
seek and the rows it returns, however deep in the file it starts. Rows are parsed only
when a page returns them: a malformed line fails the pages that hold it (a 400 naming
its line), not the whole dataset. Blank lines are no rows.
"""

from __future__ import annotations

import csv
import json
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from plugstack.apis.datasetio import Row
from plugstack.errors import BadRequestError

__all__ = ["TextIndex", "index_csv", "index_jsonl", "line_number", "read_csv", "read_jsonl"]

csv.field_size_limit(64 * 1024 * 1024)  # a chat in one cell is fine; the default (128 KiB) is not


@dataclass
class TextIndex:
    """Where each row starts; ``end`` is how far the file was scanned; ``header`` is a CSV's columns."""

    offsets: array[int] = field(default_factory=lambda: array("q"))
    end: int = 0
    header: list[str] | None = None

    @property
    def cost(self) -> int:
        return self.offsets.itemsize * len(self.offsets) + 64

    def __len__(self) -> int:
        return len(self.offsets)


def index_jsonl(f: IO[bytes], index: TextIndex | None = None) -> TextIndex:
    """Offsets of the non-blank lines of ``f``; from ``index.end`` on when extending ``index``."""
    index = index or TextIndex()
    position = index.end
    f.seek(position)
    for line in f:
        if line.strip():
            index.offsets.append(position)
        position += len(line)
    index.end = position
    return index


def read_jsonl(f: IO[bytes], index: TextIndex, start: int, limit: int | None, where: str) -> list[Row]:
    """Rows ``start`` to ``start + limit`` (or the end), parsed; a 400 naming the first bad line."""
    stop = len(index) if limit is None else min(len(index), start + limit)
    if start >= stop:
        return []
    first = index.offsets[start]
    f.seek(first)
    block = f.read((index.offsets[stop] if stop < len(index) else index.end) - first)  # the page's rows, one read
    rows: list[Row] = []
    for line_start, line in _split_lines(block, first):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            reason = f"{exc.msg} at column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else "not UTF-8"
            raise _bad_row(where, f, line_start, f"is not valid JSON ({reason})") from None
        if not isinstance(row, dict):
            raise _bad_row(where, f, line_start, f"is a JSON {type(row).__name__}, not an object")
        rows.append(row)
    return rows


def _split_lines(block: bytes, offset: int) -> Iterator[tuple[int, bytes]]:
    """Each line of ``block`` (split at ``\\n`` only, as the index was) with its offset in the file."""
    position = 0
    while position < len(block):
        newline = block.find(b"\n", position)
        end = len(block) if newline < 0 else newline + 1
        yield offset + position, block[position:end]
        position = end


class _Lines:
    """The decoded lines of ``f`` from ``position`` on, counting the bytes handed out.

    ``csv.reader`` pulls one line at a time and only as many as a record needs, so after
    each record ``position`` is where the next one starts.
    """

    def __init__(self, f: IO[bytes], position: int, where: str) -> None:
        self.f = f
        self.position = position
        self.where = where
        f.seek(position)

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        raw = self.f.readline()
        if not raw:
            raise StopIteration
        start = self.position
        self.position += len(raw)
        if start == 0 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _bad_row(self.where, self.f, start, "is not UTF-8") from None


def index_csv(f: IO[bytes], where: str) -> TextIndex:
    """The header of a CSV file and the offset of each record after it (records may span lines)."""
    index = TextIndex()
    lines = _Lines(f, 0, where)
    reader = csv.reader(lines)
    start = 0
    try:
        index.header = next(reader, None)
        if not index.header:
            raise BadRequestError(f"{where}: the CSV file has no header row", param="dataset_id", code="invalid_row")
        while True:
            start = lines.position
            record = next(reader, None)
            if record is None:
                break
            if record:
                index.offsets.append(start)
    except csv.Error as exc:
        raise _bad_row(where, f, start, f"is not valid CSV ({exc})") from None
    index.end = lines.position
    return index


def read_csv(f: IO[bytes], index: TextIndex, start: int, limit: int | None, where: str) -> list[Row]:
    """Records ``start`` to ``start + limit`` as rows keyed by the header (values are strings)."""
    header = index.header or []
    stop = len(index) if limit is None else min(len(index), start + limit)
    if start >= stop:
        return []
    rows: list[Row] = []
    lines = _Lines(f, index.offsets[start], where)
    reader = csv.reader(lines)
    while len(rows) < stop - start:
        record_start = lines.position
        try:
            record = next(reader)
        except csv.Error as exc:
            raise _bad_row(where, f, record_start, f"is not valid CSV ({exc})") from None
        if not record:
            continue
        if len(record) != len(header):
            raise _bad_row(where, f, record_start, f"has {len(record)} fields; the header has {len(header)}")
        rows.append(dict(zip(header, record, strict=True)))
    return rows


def line_number(f: IO[bytes], offset: int) -> int:
    """The 1-based line that byte ``offset`` of ``f`` is on (counted only when a row is bad)."""
    f.seek(0)
    newlines = 0
    remaining = offset
    while remaining > 0:
        chunk = f.read(min(remaining, 1 << 20))
        if not chunk:
            break
        newlines += chunk.count(b"\n")
        remaining -= len(chunk)
    return newlines + 1


def _bad_row(where: str, f: IO[bytes], offset: int, problem: str) -> BadRequestError:
    return BadRequestError(f"{where}: line {line_number(f, offset)} {problem}", param="dataset_id", code="invalid_row")
