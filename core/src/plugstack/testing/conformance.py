"""The inference conformance suite, under the name plugins import it by.

It lives with its API, in :mod:`plugstack.apis.inference.conformance`.
"""

from plugstack.apis.inference.conformance import FEATURES, InferenceConformance

__all__ = ["FEATURES", "InferenceConformance"]
