"""plugstack's scoring conformance suite for ``inline::llm-as-judge``.

``inline::echo`` stands in for the judge model: it answers with the prompt, so the
function below scores a row with its own ``generated_answer`` (see conftest.py). The
suite checks the provider's contract (one score row per row, per-row errors, aggregates),
not a model's judgement; ``test_local_llama_cpp.py`` runs a real model.
"""

from __future__ import annotations

from typing import Any, ClassVar

import plugstack_scoring_llm_judge

from plugstack.plugins import PluginHost, new_plugin_host
from plugstack.testing.echo import EchoPlugin
from plugstack.testing.scoring_conformance import ScoringConformance


class TestLlmJudgeConformance(ScoringConformance):
    scoring_fn_id = "echo-grade"
    good_row: ClassVar[dict[str, Any]] = {"input_query": "What is 2 + 2?", "generated_answer": "4"}
    good_score = 4.0
    missing_column = "generated_answer"
    provider_type = "inline::llm-as-judge"
    sdk_modules = ("plugstack_scoring_llm_judge.judge", "plugstack_scoring_llm_judge.config")

    @classmethod
    def run_config(cls) -> dict[str, Any]:
        function = {
            "scoring_fn_id": cls.scoring_fn_id,
            "params": {
                "judge_model": "echo-1",
                "prompt_template": "Question: {input_query} Grade: {generated_answer}",
                "judge_score_regexes": [r"Grade:\s*(\d+)"],
            },
        }
        return {
            "distribution_name": "llm-judge-conformance",
            "providers": {
                "inference": [{"provider_id": "echo", "provider_type": "inline::echo", "config": {}}],
                "scoring": [{"provider_id": "llm-judge", "provider_type": "inline::llm-as-judge", "config": {}}],
            },
            "registered_resources": {"scoring_functions": [function]},
        }

    @classmethod
    def plugin_host(cls) -> PluginHost:
        host = new_plugin_host()
        assert host.register(EchoPlugin(), name="echo")
        assert host.register(plugstack_scoring_llm_judge, name="scoring-llm-judge")
        return host
