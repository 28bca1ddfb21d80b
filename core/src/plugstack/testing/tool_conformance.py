"""The tool runtime conformance suite, under the name plugins import it by.

It lives with its API, in :mod:`plugstack.apis.tool_runtime.conformance`.
"""

from plugstack.apis.tool_runtime.conformance import FEATURES, ToolRuntimeConformance, result_text

__all__ = ["FEATURES", "ToolRuntimeConformance", "result_text"]
