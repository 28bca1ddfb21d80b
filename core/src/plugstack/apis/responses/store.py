"""Stored responses: one row each in the SQL store, written before the response is reported.

A row holds the response, the input items it was given (what ``input_items`` lists) and
its ``history``: every item the model saw before that input (the chain of earlier
responses, or the conversation). A response chained to it with ``previous_response_id``
reads one row: its context is ``history + input_items + output``. Responses finished at
the same time share one commit (:class:`~plugstack.storage.group_commit.GroupCommit`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from plugstack.apis.responses.types import ResponseObject
from plugstack.errors import NotFoundError
from plugstack.storage import SqlStore
from plugstack.storage.first_use import FirstUse
from plugstack.storage.group_commit import GroupCommit

__all__ = ["ResponseStore", "StoredResponse"]

_TABLE = "responses"


@dataclass
class StoredResponse:
    response: ResponseObject
    input_items: list[dict[str, Any]]
    history: list[dict[str, Any]]

    def context(self) -> list[dict[str, Any]]:
        """What a response chained to this one starts from: everything before it, its input, its output."""
        output = [item.model_dump(mode="json") for item in self.response.output]
        return [*self.history, *self.input_items, *output]


class ResponseStore:
    """The ``responses`` table, created on first use: a stack that never serves a response opens no database for it."""

    def __init__(self, sqlstore: Callable[[], Awaitable[SqlStore]]) -> None:
        self._sqlstore = sqlstore
        self._table = FirstUse(self._open)
        self._rows: GroupCommit[dict[str, Any]] = GroupCommit(self._insert)

    async def _open(self) -> SqlStore:
        """The SQL store, with the table created (on first use: no engine before it)."""
        sql = await self._sqlstore()
        await sql.create_table(
            _TABLE,
            {
                "id": "string",
                "created_at": "integer",
                "model": "string",
                "response": "json",
                "input_items": "json",
                "history": "json",
            },
            primary_key="id",
        )
        return sql

    async def save(self, stored: StoredResponse) -> None:
        """Store ``stored``; return once it is committed."""
        response = stored.response
        await self._rows.write(
            {
                "id": response.id,
                "created_at": response.created_at,
                "model": response.model,
                "response": response.model_dump(mode="json"),
                "input_items": stored.input_items,
                "history": stored.history,
            }
        )

    async def _insert(self, rows: list[dict[str, Any]]) -> None:
        await (await self._table()).insert_many(_TABLE, rows)

    async def get(self, response_id: str, *, param: str = "response_id") -> StoredResponse:
        """The stored response; a 404 naming ``param`` when there is none (or it was created with ``store: false``)."""
        row = await (await self._table()).fetch_one(_TABLE, {"id": response_id})
        if row is None:
            raise NotFoundError(f"response {response_id!r} not found", param=param)
        return StoredResponse(
            response=ResponseObject.model_validate(row["response"]),
            input_items=row["input_items"],
            history=row["history"],
        )

    async def delete(self, response_id: str) -> None:
        if not await (await self._table()).delete(_TABLE, {"id": response_id}):
            raise NotFoundError(f"response {response_id!r} not found", param="response_id")
