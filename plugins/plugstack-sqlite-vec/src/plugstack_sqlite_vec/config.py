"""Configuration of ``inline::sqlite-vec``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["SqliteVecConfig"]


class SqliteVecConfig(BaseModel):
    """``db_path``: the SQLite file of every store of this provider.

    ``embedding_model``: the model that embeds the chunks of new vector stores unless the
    create request names one; empty means the first embedding model the stack serves.
    """

    model_config = ConfigDict(extra="forbid")

    db_path: str = Field(min_length=1)
    embedding_model: str | None = None

    @classmethod
    def sample_run_config(cls) -> dict[str, Any]:
        return {"db_path": "${env.PLUGSTACK_HOME:=~/.plugstack}/sqlite_vec.db", "embedding_model": "all-MiniLM-L6-v2"}
