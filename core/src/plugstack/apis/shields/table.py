"""The shields routing table: which safety provider serves each shield id (see :mod:`plugstack.routing_table`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from plugstack.apis.shields.types import RegisterShieldRequest, Shield
from plugstack.resource_table import ResourceTable
from plugstack.routing_table import RoutingTable
from plugstack.storage import KVStore

__all__ = ["ShieldsTable", "shields_table"]

ShieldsTable = RoutingTable[Shield, RegisterShieldRequest]


def shields_table(providers: Mapping[str, Any], kvstore: KVStore) -> ShieldsTable:
    table = ResourceTable("shield", Shield, providers, kvstore, key_prefix="shields/", id_param="shield_id")
    return RoutingTable(table, RegisterShieldRequest, _shield, method_suffix="shield", config_key="shields")


def _shield(request: RegisterShieldRequest, provider_id: str) -> Shield:
    return Shield(
        id=request.shield_id,
        provider_id=provider_id,
        provider_resource_id=request.provider_shield_id or request.shield_id,
        params=request.params,
    )
