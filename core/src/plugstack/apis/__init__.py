"""The APIs plugstack serves: one package per API, found through a registry.

Each package ``plugstack.apis.<name>`` holds everything specific to its API: pydantic
types, the provider Protocol, the registration hookspec, the router, the HTTP routes and
the conformance suite, and says so in one :class:`~plugstack.apis.definition.ApiDefinition`
named ``API``. ``Api`` is the one list of the core's APIs: adding an API is a new package
and one line here. Plugins define further APIs through the ``plugstack_apis`` hook; those
are named by plain strings, as every ``Api`` member also is.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Api", "canonical_api"]


class Api(StrEnum):
    """The core's APIs, each a package of :mod:`plugstack.apis`."""

    inference = "inference"
    models = "models"
    files = "files"
    vector_io = "vector_io"
    vector_stores = "vector_stores"
    safety = "safety"
    shields = "shields"
    tool_runtime = "tool_runtime"
    tool_groups = "tool_groups"
    datasetio = "datasetio"
    datasets = "datasets"
    scoring = "scoring"
    scoring_functions = "scoring_functions"
    conversations = "conversations"
    responses = "responses"
    prompts = "prompts"
    batches = "batches"
    benchmarks = "benchmarks"
    eval = "eval"


def canonical_api(name: str) -> str:
    """``name`` as its :class:`Api` member when the core defines it (so ``api is Api.inference``
    holds and ``api.value`` works), else the plain name of a plugin's API."""
    return Api._value2member_map_.get(name, name)  # type: ignore[return-value]
