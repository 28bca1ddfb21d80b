"""Which format a dataset's file is in: ``metadata.format`` when given, else the file name's suffix."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Literal

from plugstack.apis.datasets import Dataset
from plugstack.errors import BadRequestError

__all__ = ["Format", "dataset_format"]

Format = Literal["jsonl", "csv", "parquet"]

_DECLARED: dict[str, Format] = {
    "jsonl": "jsonl",
    "ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/x-ndjson": "jsonl",
    "csv": "csv",
    "text/csv": "csv",
    "parquet": "parquet",
    "application/vnd.apache.parquet": "parquet",
}
_SUFFIXES: dict[str, Format] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
}


def dataset_format(dataset: Dataset, filename: str) -> Format:
    """The format of ``dataset``'s file named ``filename``; a 400 naming ``metadata.format`` if unknown."""
    declared = dataset.metadata.get("format")
    if declared is not None:
        found = _DECLARED.get(str(declared).lower())
        if found is None:
            raise BadRequestError(
                f"dataset {dataset.id!r}: metadata.format must be jsonl, csv or parquet (or a MIME type of one), "
                f"got {declared!r}",
                param="metadata.format",
            )
        return found
    suffix = _SUFFIXES.get(PurePosixPath(filename).suffix.lower())
    if suffix is None:
        raise BadRequestError(
            f"dataset {dataset.id!r}: cannot tell the format of {filename!r} from its name "
            f"(known: {', '.join(_SUFFIXES)}); set metadata.format to jsonl, csv or parquet",
            param="metadata.format",
        )
    return suffix
