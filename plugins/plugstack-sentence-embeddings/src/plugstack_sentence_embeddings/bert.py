"""A BERT encoder with mean pooling: what sentence-transformers computes, without torch.

all-MiniLM-L6-v2 is 6 layers of width 384. The forward pass runs on one of two backends:

- ``onnxruntime`` (the default): the graph of :mod:`.onnx_graph`, built from the same
  weights at load time; about three times as fast as numpy on a CPU;
- ``numpy``: the reference implementation below, a dozen matrix products per layer; it
  also runs in float64, which the tests use to check the float32 results. GELU uses a
  rational erf approximation (numpy has no erf), within 7e-8 of ``math.erf``.

Both match sentence-transformers to about 2e-7.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from safetensors.numpy import load_file
from tokenizers import Tokenizer

__all__ = ["Backend", "BertConfig", "SentenceEncoder", "erf"]

Array = NDArray[np.floating]


@dataclass(frozen=True)
class BertConfig:
    hidden_size: int
    num_layers: int
    num_heads: int
    layer_norm_eps: float
    max_seq_length: int

    @classmethod
    def from_dir(cls, path: Path) -> BertConfig:
        config = json.loads((path / "config.json").read_text())
        if config.get("model_type") != "bert" or config.get("hidden_act") != "gelu":
            raise ValueError(f"{path}: only BERT models with GELU are supported, got {config.get('model_type')!r}")
        st_config_path = path / "sentence_bert_config.json"
        st_config = json.loads(st_config_path.read_text()) if st_config_path.exists() else {}
        return cls(
            hidden_size=config["hidden_size"],
            num_layers=config["num_hidden_layers"],
            num_heads=config["num_attention_heads"],
            layer_norm_eps=config["layer_norm_eps"],
            max_seq_length=min(st_config.get("max_seq_length", 512), config["max_position_embeddings"]),
        )


Backend = Literal["onnxruntime", "numpy"]


class SentenceEncoder:
    """Texts in, L2-normalised mean-pooled embeddings out (``float32``, one row per text).

    ``dtype`` applies to the numpy backend only (onnxruntime computes in float32).
    """

    def __init__(self, path: Path, dtype: type[np.floating] = np.float32, backend: Backend = "numpy") -> None:
        self.config = BertConfig.from_dir(path)
        self.dtype = dtype
        self.weights = {name: value.astype(dtype) for name, value in load_file(str(path / "model.safetensors")).items()}
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.config.max_seq_length)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # to the longest text of the batch
        self._session: Any = None
        if backend == "onnxruntime":
            import onnxruntime

            from plugstack_sentence_embeddings.onnx_graph import build_bert_graph

            if dtype is not np.float32:
                raise ValueError("the onnxruntime backend computes in float32")
            graph = build_bert_graph(self.weights, self.config)
            self._session = onnxruntime.InferenceSession(graph, providers=["CPUExecutionProvider"])

    @property
    def dimension(self) -> int:
        return self.config.hidden_size

    def encode(self, texts: list[str], batch_size: int = 32) -> tuple[NDArray[np.float32], int]:
        """Embeddings of ``texts`` and the number of tokens they took (without padding)."""
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        # Sorting by length keeps padding (wasted work) small within each batch.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        tokens = 0
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            encodings = self.tokenizer.encode_batch([texts[i] for i in batch])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            type_ids = np.array([e.type_ids for e in encodings], dtype=np.int64)
            tokens += int(mask.sum())
            out[batch] = self.forward(ids, type_ids, mask)
        return out, tokens

    def forward(self, ids: NDArray[np.int64], type_ids: NDArray[np.int64], mask: NDArray[np.int64]) -> Array:
        """Mean-pooled, L2-normalised embeddings of one padded batch."""
        if self._session is not None:
            feeds = {"input_ids": ids, "token_type_ids": type_ids, "attention_mask": mask}
            hidden: Array = self._session.run(None, feeds)[0]
        else:
            hidden = self.hidden_states(ids, type_ids, mask)
        weights = mask[..., None].astype(hidden.dtype)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

    def hidden_states(self, ids: NDArray[np.int64], type_ids: NDArray[np.int64], mask: NDArray[np.int64]) -> Array:
        """The last hidden states, in numpy."""
        w = self.weights
        positions = np.arange(ids.shape[1])
        hidden = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][positions][None]
            + w["embeddings.token_type_embeddings.weight"][type_ids]
        )
        hidden = self._layer_norm(hidden, "embeddings.LayerNorm")
        # masked keys get the most negative value, as transformers does: softmax weight 0
        bias = np.where(mask[:, None, None, :] == 1, 0.0, np.finfo(self.dtype).min).astype(self.dtype)
        for layer in range(self.config.num_layers):
            hidden = self._layer(hidden, bias, f"encoder.layer.{layer}")
        return hidden

    def _layer(self, hidden: Array, bias: Array, prefix: str) -> Array:
        batch, length, width = hidden.shape
        heads = self.config.num_heads
        head_size = width // heads

        def split(name: str) -> Array:
            projected = self._linear(hidden, f"{prefix}.attention.self.{name}")
            return projected.reshape(batch, length, heads, head_size).transpose(0, 2, 1, 3)

        query, key, value = split("query"), split("key"), split("value")
        scores = (query @ key.transpose(0, 1, 3, 2)) / np.sqrt(head_size).astype(self.dtype) + bias
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        probs = scores / scores.sum(axis=-1, keepdims=True)
        context = (probs @ value).transpose(0, 2, 1, 3).reshape(batch, length, width)
        attention = self._layer_norm(
            self._linear(context, f"{prefix}.attention.output.dense") + hidden, f"{prefix}.attention.output.LayerNorm"
        )
        intermediate = _gelu(self._linear(attention, f"{prefix}.intermediate.dense"))
        return self._layer_norm(
            self._linear(intermediate, f"{prefix}.output.dense") + attention, f"{prefix}.output.LayerNorm"
        )

    def _linear(self, x: Array, name: str) -> Array:
        # one 2-D product: numpy would otherwise loop over the batch in small products
        weight = self.weights[f"{name}.weight"]
        out = x.reshape(-1, x.shape[-1]) @ weight.T + self.weights[f"{name}.bias"]
        return out.reshape(*x.shape[:-1], weight.shape[0])

    def _layer_norm(self, x: Array, name: str) -> Array:
        mean = x.mean(axis=-1, keepdims=True)
        variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
        normed = (x - mean) / np.sqrt(variance + self.dtype(self.config.layer_norm_eps))
        return normed * self.weights[f"{name}.weight"] + self.weights[f"{name}.bias"]


def _gelu(x: Array) -> Array:
    """Exact GELU, ``x * Φ(x)``, as BERT's ``hidden_act="gelu"`` means (not the tanh form)."""
    return x * (0.5 + 0.5 * erf(x * x.dtype.type(0.7071067811865476)))


# Rational approximation of erf on [-4, 4] (Eigen's float erf); beyond, erf is ±1 to 1.5e-8.
_ERF_P = (
    -2.72614225801306e-10,
    2.77068142495902e-08,
    -2.10102402082508e-06,
    -5.69250639462346e-05,
    -7.34990630326855e-04,
    -2.95459980854025e-03,
    -1.60960333262415e-02,
)
_ERF_Q = (
    -1.45660718464996e-05,
    -2.13374055278905e-04,
    -1.68282697438203e-03,
    -7.37332916720468e-03,
    -1.42647390514189e-02,
)


def erf(x: Array) -> Array:
    """The error function in ``x``'s dtype: within 7e-8 of ``math.erf`` in float64, 5e-7 in float32.

    Computed in place, term by term, because GELU over the 1536-wide FFN is otherwise the
    slowest step of the forward pass.
    """
    x = np.clip(x, -4.0, 4.0)
    x2 = x * x
    p = np.full_like(x, _ERF_P[0])
    for c in _ERF_P[1:]:
        p *= x2
        p += c
    q = np.full_like(x, _ERF_Q[0])
    for c in _ERF_Q[1:]:
        q *= x2
        q += c
    p *= x
    p /= q
    return p
