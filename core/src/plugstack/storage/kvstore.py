"""A namespaced key-value store: what the resource registries persist in."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Column, MetaData, String, Table, Text, delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["KVStore", "SqlKVStore"]


class KVStore(Protocol):
    async def get(self, key: str) -> str | None: ...
    async def set(self, key: str, value: str) -> None: ...
    async def delete(self, key: str) -> None: ...
    async def items(self, prefix: str = "") -> list[tuple[str, str]]: ...


_metadata = MetaData()
_kv = Table(
    "plugstack_kvstore",
    _metadata,
    Column("key", String(512), primary_key=True),
    Column("value", Text, nullable=False),
)


class SqlKVStore:
    """:class:`KVStore` in one SQL table; ``namespace`` prefixes every key."""

    def __init__(self, engine: AsyncEngine, namespace: str = "") -> None:
        self.engine = engine
        self.namespace = namespace

    async def initialize(self) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(_metadata.create_all)

    async def get(self, key: str) -> str | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(_kv.c.value).where(_kv.c.key == self.namespace + key))).first()
        return None if row is None else str(row[0])

    async def set(self, key: str, value: str) -> None:
        full = self.namespace + key
        async with self.engine.begin() as conn:
            # delete+insert in one transaction: portable across SQLite and PostgreSQL
            await conn.execute(delete(_kv).where(_kv.c.key == full))
            await conn.execute(_kv.insert().values(key=full, value=value))

    async def delete(self, key: str) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(delete(_kv).where(_kv.c.key == self.namespace + key))

    async def items(self, prefix: str = "") -> list[tuple[str, str]]:
        full = self.namespace + prefix
        query = select(_kv.c.key, _kv.c.value).where(_kv.c.key.startswith(full, autoescape=True)).order_by(_kv.c.key)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [(str(k)[len(self.namespace) :], str(v)) for k, v in rows]
