"""The datasetio conformance suite, under the name plugins import it by.

It lives with its API, in :mod:`plugstack.apis.datasetio.conformance`.
"""

from plugstack.apis.datasetio.conformance import FEATURES, DatasetIOConformance

__all__ = ["FEATURES", "DatasetIOConformance"]
