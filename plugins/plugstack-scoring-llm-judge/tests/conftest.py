"""The judge's test stacks: ``inline::echo`` as the judge model, a stand-in for a real one.

``inline::echo`` answers with the prompt it gets, so a template such as
``"Grade: {generated_answer}"`` makes the judge's answer ``"Grade: 4"`` for a row whose
``generated_answer`` is ``4``: a deterministic answer, parsed by the real regexes, that
checks the wiring (the prompt templated from the row, sent through the stack's inference
router, the score parsed back) and not any model's judgement. The end-to-end test with a
real model is ``test_local_llama_cpp.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import plugstack_scoring_llm_judge
import pytest

from plugstack.plugins import PluginHost, new_plugin_host
from plugstack.testing.echo import EchoPlugin

ECHO_GRADE = {
    "scoring_fn_id": "echo-grade",
    "params": {
        "judge_model": "echo-1",
        "prompt_template": "Question: {input_query} Grade: {generated_answer}",
        "judge_score_regexes": [r"Grade:\s*(\d+(?:\.\d+)?)"],
    },
    "aggregation_functions": ["average"],
}
"""A judge function on echo: the score is the row's ``generated_answer`` when it is a number."""


def echo_judge_host() -> PluginHost:
    """Echo and the judge plugin, registered in-process (echo has no entry point)."""
    host = new_plugin_host()
    assert host.register(EchoPlugin(), name="echo")
    assert host.register(plugstack_scoring_llm_judge, name="scoring-llm-judge")
    return host


def echo_judge_config(*functions: dict[str, Any], storage: Path | None = None, **judge: Any) -> dict[str, Any]:
    """A stack of echo and the judge (config ``judge``), serving ``echo-grade`` and ``functions``."""
    config: dict[str, Any] = {
        "distribution_name": "llm-judge-test",
        "providers": {
            "inference": [{"provider_id": "echo", "provider_type": "inline::echo", "config": {}}],
            "scoring": [{"provider_id": "llm-judge", "provider_type": "inline::llm-as-judge", "config": judge}],
        },
        "registered_resources": {"scoring_functions": [ECHO_GRADE, *functions]},
    }
    if storage is not None:
        config["storage"] = {"kvstore": {"db_path": str(storage / "kv.db")}}
    return config


@pytest.fixture
def judge_host() -> Callable[[], PluginHost]:
    return echo_judge_host


@pytest.fixture
def judge_config() -> Callable[..., dict[str, Any]]:
    return echo_judge_config
