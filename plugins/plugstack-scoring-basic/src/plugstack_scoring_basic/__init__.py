"""plugstack-scoring-basic: the ``inline::basic`` scoring provider.

Scoring functions that compare a row's ``generated_answer`` with its ``expected_answer``
by rule, with no model. This module is what the ``plugstack`` entry point loads at
discovery time, so it imports neither the provider nor its config.
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
            provider_type="inline::basic",
            config_class="plugstack_scoring_basic.config:BasicScoringConfig",
            adapter_factory="plugstack_scoring_basic.provider:create_provider",
            pip_packages=["plugstack-scoring-basic"],
            description="rule-based scoring: equality, subset_of, multiple-choice answer extraction",
        )
    ]
