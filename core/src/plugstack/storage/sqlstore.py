"""A small SQL store for API data: tables of JSON-friendly rows, filtered by equality.

Providers that keep records (files metadata, vector store files, batches) create their
tables through it, so the same code runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    delete,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["ColumnType", "SqlStore"]

ColumnType = Literal["string", "text", "integer", "float", "boolean", "json"]
_TYPES: dict[str, Any] = {
    "string": lambda: String(512),
    "text": Text,
    "integer": Integer,
    "float": Float,
    "boolean": Boolean,
    "json": JSON,
}


class SqlStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._metadata = MetaData()
        self._tables: dict[str, Table] = {}

    async def create_table(self, name: str, columns: Mapping[str, ColumnType], primary_key: str) -> None:
        """Create ``name`` if it does not exist yet."""
        table = Table(
            name,
            self._metadata,
            *(Column(col, _TYPES[kind](), primary_key=(col == primary_key)) for col, kind in columns.items()),
            extend_existing=True,
        )
        self._tables[name] = table
        async with self.engine.begin() as conn:
            await conn.run_sync(lambda sync_conn: table.create(sync_conn, checkfirst=True))

    async def insert(self, table: str, row: Mapping[str, Any]) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(self._tables[table].insert().values(**row))

    async def insert_many(self, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert ``rows`` in one transaction: one commit (one disk sync) for all of them."""
        if rows:
            async with self.engine.begin() as conn:
                await conn.execute(self._tables[table].insert(), [dict(row) for row in rows])

    async def fetch_all(
        self,
        table: str,
        where: Mapping[str, Any] | None = None,
        *,
        order_by: str | None = None,
        descending: bool = False,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        t = self._tables[table]
        query = select(t).where(self._where(t, where))
        if order_by:
            query = query.order_by(t.c[order_by].desc() if descending else t.c[order_by])
        if limit is not None:
            query = query.limit(limit)
        async with self.engine.connect() as conn:
            return [dict(row._mapping) for row in (await conn.execute(query)).all()]

    async def fetch_one(self, table: str, where: Mapping[str, Any]) -> dict[str, Any] | None:
        rows = await self.fetch_all(table, where, limit=1)
        return rows[0] if rows else None

    async def update(self, table: str, values: Mapping[str, Any], where: Mapping[str, Any]) -> int:
        t = self._tables[table]
        async with self.engine.begin() as conn:
            result = await conn.execute(update(t).where(self._where(t, where)).values(**values))
        return int(result.rowcount or 0)

    async def delete(self, table: str, where: Mapping[str, Any]) -> int:
        t = self._tables[table]
        async with self.engine.begin() as conn:
            result = await conn.execute(delete(t).where(self._where(t, where)))
        return int(result.rowcount or 0)

    @staticmethod
    def _where(table: Table, where: Mapping[str, Any] | None) -> Any:
        return and_(True, *(table.c[k] == v for k, v in (where or {}).items()))
