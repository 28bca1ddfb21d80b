"""The kvstore and sqlstore on SQLite (a real file) and PostgreSQL (a real server in CI)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine

from plugstack.run_config import StoreConfig
from plugstack.storage import SqlKVStore, SqlStore, create_engine_for


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    if request.param == "sqlite":
        store = StoreConfig(db_path=str(tmp_path / "store.db"))
    else:
        store = StoreConfig(type="postgres", url=SecretStr(request.getfixturevalue("postgres_url")))
    engine = create_engine_for(store, tmp_path / "unused.db")
    yield engine
    await engine.dispose()


async def test_kvstore_round_trip_and_prefixes(engine: AsyncEngine) -> None:
    kv = SqlKVStore(engine, namespace=f"test-{uuid.uuid4().hex}/")
    await kv.initialize()
    await kv.set("models/a", "1")
    await kv.set("models/b", "2")
    await kv.set("models%x", "not under the prefix")  # LIKE wildcards must be escaped
    await kv.set("models/a", "3")  # overwrite
    assert await kv.get("models/a") == "3"
    assert await kv.items("models/") == [("models/a", "3"), ("models/b", "2")]
    await kv.delete("models/a")
    assert await kv.get("models/a") is None
    other = SqlKVStore(engine, namespace=f"other-{uuid.uuid4().hex}/")
    assert await other.items("") == []


async def test_kvstore_concurrent_writers_lose_nothing(engine: AsyncEngine) -> None:
    kv = SqlKVStore(engine, namespace=f"c-{uuid.uuid4().hex}/")
    await kv.initialize()
    await asyncio.gather(*(kv.set(f"k{i:03}", str(i)) for i in range(50)))
    assert [v for _, v in await kv.items()] == [str(i) for i in range(50)]


async def test_sqlstore_tables(engine: AsyncEngine) -> None:
    sql = SqlStore(engine)
    table = f"files_{uuid.uuid4().hex[:8]}"
    await sql.create_table(
        table, {"id": "string", "bytes": "integer", "meta": "json", "done": "boolean"}, primary_key="id"
    )
    await sql.create_table(
        table, {"id": "string", "bytes": "integer", "meta": "json", "done": "boolean"}, primary_key="id"
    )
    await sql.insert(table, {"id": "f1", "bytes": 10, "meta": {"a": [1]}, "done": False})
    await sql.insert(table, {"id": "f2", "bytes": 20, "meta": {}, "done": True})
    assert await sql.fetch_one(table, {"id": "f1"}) == {"id": "f1", "bytes": 10, "meta": {"a": [1]}, "done": False}
    assert [r["id"] for r in await sql.fetch_all(table, order_by="bytes", descending=True)] == ["f2", "f1"]
    assert await sql.update(table, {"done": True}, {"id": "f1"}) == 1
    assert [r["id"] for r in await sql.fetch_all(table, {"done": True}, order_by="id")] == ["f1", "f2"]
    assert await sql.delete(table, {"id": "f2"}) == 1
    assert await sql.fetch_one(table, {"id": "f2"}) is None


def test_postgres_url_never_appears_in_errors() -> None:
    from plugstack.errors import ConfigError

    with pytest.raises(ConfigError) as info:
        create_engine_for(StoreConfig(type="postgres", url=SecretStr("mysql://user:hunter2@db/x")), Path("/tmp/x"))
    assert "hunter2" not in str(info.value)
