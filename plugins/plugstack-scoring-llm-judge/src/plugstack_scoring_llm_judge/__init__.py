"""plugstack-scoring-llm-judge: the ``inline::llm-as-judge`` scoring provider.

Rows scored by asking a judge model (any inference model of the stack) with a prompt
templated from the row, the score parsed from its answer by regexes. This module is what
the ``plugstack`` entry point loads at discovery time, so it imports neither the provider
nor its config.
"""

from __future__ import annotations

import plugstack
from plugstack.apis import Api
from plugstack.provider_spec import ProviderSpec

__all__ = ["plugstack_scoring_providers"]


@plugstack.hookimpl
def plugstack_scoring_providers() -> list[ProviderSpec]:
    return [
        ProviderSpec(
            api=Api.scoring,
            provider_type="inline::llm-as-judge",
            config_class="plugstack_scoring_llm_judge.config:LlmJudgeConfig",
            adapter_factory="plugstack_scoring_llm_judge.judge:create_provider",
            api_dependencies=[Api.inference],
            pip_packages=["plugstack-scoring-llm-judge"],
            description="LLM as judge: a prompt templated from each row, sent to a model the stack serves",
        )
    ]
