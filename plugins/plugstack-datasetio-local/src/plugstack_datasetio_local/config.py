"""Configuration of the ``inline::localfs`` datasetio provider."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["LocalDatasetIOConfig"]


class LocalDatasetIOConfig(BaseModel):
    """``allowed_dirs`` bounds what ``file://`` URIs may name.

    Registering a dataset reads a file for whoever calls the API, so a server must not
    read any path it is given (``/etc/...``): only files under these directories are
    served, and appended to. With none, only files of the files API and inline rows are.
    ``cache_bytes`` bounds what is kept between pages: files-API contents, row offset
    indexes of JSONL and CSV files, decoded Parquet row groups.
    """

    model_config = ConfigDict(extra="forbid")

    allowed_dirs: list[str] = Field(default_factory=list)
    cache_bytes: int = Field(default=256 * 1024 * 1024, ge=0)

    @classmethod
    def sample_run_config(cls) -> dict[str, Any]:
        return {"allowed_dirs": ["${env.PLUGSTACK_HOME:=~/.plugstack}/datasets"]}
