"""``inline::sqlite-vec`` against the shared vector IO conformance suite, plus its own SQL details."""

from __future__ import annotations

import re
from pathlib import Path

import plugstack_sqlite_vec
import pytest
from plugstack_sqlite_vec.config import SqliteVecConfig
from plugstack_sqlite_vec.filter_sql import filter_sql
from plugstack_sqlite_vec.provider import SqliteVecProvider

from plugstack.plugins import new_plugin_host
from plugstack.retrieval.filters import parse_filter
from plugstack.stack import Stack
from plugstack.testing.echo import EchoPlugin
from plugstack.testing.vector_conformance import VectorIOConformance


class TestSqliteVecConformance(VectorIOConformance):
    async def open_provider(self, directory: Path) -> SqliteVecProvider:
        provider = SqliteVecProvider(SqliteVecConfig(db_path=str(directory / "vectors.db")))
        await provider.initialize()
        return provider


def test_filter_values_are_bound_never_spliced() -> None:
    hostile = "x') OR 1=1 --"
    sql, params = filter_sql(parse_filter({"type": "eq", "key": "kind", "value": hostile}))
    assert hostile not in sql
    assert params == ['$."kind"', hostile]


def test_keys_with_quotes_are_refused() -> None:
    with pytest.raises(ValueError):
        parse_filter({"type": "eq", "key": 'a"b', "value": 1})


async def test_health_reports_the_extension_version(tmp_path: Path) -> None:
    provider = SqliteVecProvider(SqliteVecConfig(db_path=str(tmp_path / "v.db")))
    await provider.initialize()
    try:
        health = await provider.health()
    finally:
        await provider.shutdown()
    assert health["status"] == "OK"
    assert health["sqlite_vec"].startswith("v0.")


async def test_two_sqlite_vec_providers_name_their_own_provider_id_in_errors(tmp_path: Path) -> None:
    """Two ``inline::sqlite-vec`` entries of one run config: each one's errors say which one it is."""
    host = new_plugin_host()
    assert host.register(EchoPlugin(), name="echo")
    assert host.register(plugstack_sqlite_vec, name="sqlite_vec")
    config = {
        "distribution_name": "two-sqlite-vecs",
        "providers": {
            "inference": [{"provider_id": "echo", "provider_type": "inline::echo", "config": {}}],
            "vector_io": [
                {
                    "provider_id": provider_id,
                    "provider_type": "inline::sqlite-vec",
                    "config": {"db_path": str(tmp_path / f"{provider_id}.db")},
                }
                for provider_id in ("vec-docs", "vec-code")
            ],
        },
        "storage": {"kvstore": {"db_path": str(tmp_path / "kv.db")}, "sqlstore": {"db_path": str(tmp_path / "sql.db")}},
    }
    async with await Stack.from_config(config, host=host) as stack:
        providers = {instance.provider_id: instance.impl for instance in stack.providers}
    for provider_id in ("vec-docs", "vec-code"):  # shut down with the stack
        with pytest.raises(RuntimeError, match=re.escape(f"provider {provider_id!r} (inline::sqlite-vec) used")):
            await providers[provider_id].query_chunks("vs_1", "q", [1.0, 0.0])
