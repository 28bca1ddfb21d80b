"""The vector IO conformance suite, under the name plugins import it by.

It lives with its API, in :mod:`plugstack.apis.vector_io.conformance`.
"""

from plugstack.apis.vector_io.conformance import VectorIOConformance

__all__ = ["VectorIOConformance"]
