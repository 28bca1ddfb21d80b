"""The scoring conformance suite, under the name plugins import it by.

It lives with its API, in :mod:`plugstack.apis.scoring.conformance`.
"""

from plugstack.apis.scoring.conformance import FEATURES, ScoringConformance

__all__ = ["FEATURES", "ScoringConformance"]
