"""Configuration of ``inline::chromadb`` and ``remote::chromadb``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr

__all__ = ["ChromaInlineConfig", "ChromaRemoteConfig"]


class _ChromaConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    embedding_model: str | None = Field(
        default=None, description="default embedding model of new vector stores; empty: the first one served"
    )
    # Chroma's defaults (M 16, ef 100/10) reach ~0.7 recall@10 on 5k random 384-d vectors;
    # these reach ~0.98 at a few ms per query (bench/retrieval_bench.py)
    hnsw_m: int = Field(default=32, ge=4, description="HNSW links per node, fixed when a store is created")
    hnsw_construction_ef: int = Field(default=200, ge=10, description="HNSW build breadth, fixed at creation")
    hnsw_search_ef: int = Field(default=200, ge=10, description="HNSW search breadth: higher finds more, slower")


class ChromaInlineConfig(_ChromaConfig):
    """An embedded Chroma database in the directory ``db_path``."""

    db_path: str = Field(min_length=1)

    @classmethod
    def sample_run_config(cls) -> dict[str, Any]:
        return {"db_path": "${env.PLUGSTACK_HOME:=~/.plugstack}/chroma"}


class ChromaRemoteConfig(_ChromaConfig):
    """A Chroma server at ``url`` (``http://host:port``); ``api_key`` is sent as ``x-chroma-token``."""

    url: str = Field(min_length=1)
    api_key: SecretStr | None = None
    tenant: str = "default_tenant"
    database: str = "default_database"

    @classmethod
    def sample_run_config(cls) -> dict[str, Any]:
        return {"url": "${env.CHROMA_URL:=http://127.0.0.1:8000}"}
