"""The safety conformance suite, under the name plugins import it by.

It lives with its API, in :mod:`plugstack.apis.safety.conformance`.
"""

from plugstack.apis.safety.conformance import FEATURES, SafetyConformance

__all__ = ["FEATURES", "SafetyConformance"]
