"""``inline::sqlite-vec`` against the shared vector IO conformance suite, plus its own SQL details."""

from __future__ import annotations

from pathlib import Path

import pytest
from plugstack_sqlite_vec.config import SqliteVecConfig
from plugstack_sqlite_vec.filter_sql import filter_sql
from plugstack_sqlite_vec.provider import SqliteVecProvider

from plugstack.retrieval.filters import parse_filter
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
