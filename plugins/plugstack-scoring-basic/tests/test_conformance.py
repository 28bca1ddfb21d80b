"""plugstack's scoring conformance suite for each function of ``inline::basic`` (installed entry point)."""

from __future__ import annotations

from typing import Any, ClassVar

from plugstack.testing.scoring_conformance import ScoringConformance

SDK_MODULES = ("plugstack_scoring_basic.provider", "plugstack_scoring_basic.config")


def run_config() -> dict[str, Any]:
    basic = {"provider_id": "basic", "provider_type": "inline::basic", "config": {}}
    return {"distribution_name": "scoring-basic-conformance", "providers": {"scoring": [basic]}}


class TestEqualityConformance(ScoringConformance):
    scoring_fn_id = "basic::equality"
    good_row: ClassVar[dict[str, Any]] = {"expected_answer": "Paris", "generated_answer": "  paris. "}
    good_score = 1.0
    missing_column = "expected_answer"
    provider_type = "inline::basic"
    sdk_modules = SDK_MODULES

    @classmethod
    def run_config(cls) -> dict[str, Any]:
        return run_config()


class TestSubsetOfConformance(TestEqualityConformance):
    scoring_fn_id = "basic::subset_of"
    good_row: ClassVar[dict[str, Any]] = {
        "expected_answer": "Paris",
        "generated_answer": "The capital of France is Paris.",
    }
    missing_column = "generated_answer"


class TestMultipleChoiceConformance(TestEqualityConformance):
    scoring_fn_id = "basic::regex_parser_multiple_choice_answer"
    good_row: ClassVar[dict[str, Any]] = {"expected_answer": "C", "generated_answer": "Let me think. Answer: (C)"}
