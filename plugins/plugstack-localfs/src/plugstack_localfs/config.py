"""Configuration of ``inline::localfs``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from plugstack.run_config import StoreConfig

__all__ = ["LocalFSConfig"]


class LocalFSConfig(BaseModel):
    """``storage_dir`` holds the file contents; ``metadata_store`` their records.

    ``metadata_store`` defaults to SQLite at ``<storage_dir>/files.db``; point it at the
    same PostgreSQL as the stack's ``storage`` to keep every record in one database.
    """

    model_config = ConfigDict(extra="forbid")

    storage_dir: str = Field(min_length=1)
    metadata_store: StoreConfig | None = None
    max_file_size_bytes: int = Field(default=512 * 1024 * 1024, ge=1, description="larger uploads are refused (400)")

    @classmethod
    def sample_run_config(cls) -> dict[str, Any]:
        return {"storage_dir": "${env.PLUGSTACK_HOME:=~/.plugstack}/files"}
