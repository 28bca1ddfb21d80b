"""The scoring functions routing table: which scoring provider serves each function id (see :mod:`plugstack.routing_table`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from plugstack.apis.scoring_functions.types import RegisterScoringFunctionRequest, ScoringFn
from plugstack.resource_table import ResourceTable
from plugstack.routing_table import RoutingTable
from plugstack.storage import KVStore

__all__ = ["ScoringFunctionsTable", "scoring_functions_table"]

ScoringFunctionsTable = RoutingTable[ScoringFn, RegisterScoringFunctionRequest]


def scoring_functions_table(providers: Mapping[str, Any], kvstore: KVStore) -> ScoringFunctionsTable:
    table = ResourceTable(
        "scoring function", ScoringFn, providers, kvstore, key_prefix="scoring_functions/", id_param="scoring_fn_id"
    )
    return RoutingTable(
        table,
        RegisterScoringFunctionRequest,
        _scoring_fn,
        method_suffix="scoring_function",
        config_key="scoring_functions",
    )


def _scoring_fn(request: RegisterScoringFunctionRequest, provider_id: str) -> ScoringFn:
    return ScoringFn(
        id=request.scoring_fn_id,
        provider_id=provider_id,
        provider_resource_id=request.provider_scoring_fn_id or request.scoring_fn_id,
        description=request.description,
        return_type=request.return_type,
        params=request.params,
        aggregation_functions=request.aggregation_functions,
    )
