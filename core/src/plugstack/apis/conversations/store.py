"""Where conversations and their items live: two tables in the stack's SQL store.

Items are ordered by a ``position`` per conversation. The conversation row holds how
many positions it has handed out (``item_count``), and adding items bumps it in the same
transaction that inserts them, with the update as the transaction's first statement:
the row lock (PostgreSQL) or the write lock (SQLite) then serialises concurrent adds to
one conversation, so each add gets a contiguous range of positions, no two adds share a
position, and a later add commits after an earlier one — a reader never sees a gap fill
in behind its cursor. Positions of deleted items are not reused.

The tables are defined here rather than through :class:`~plugstack.storage.SqlStore`'s
equality-only helpers, because these transactions need several statements, an atomic
increment and range queries; they run on the SqlStore's engine, so SQLite and PostgreSQL
both work.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, UniqueConstraint, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from plugstack.apis.conversations.items import ITEM_ADAPTER, ConversationItem
from plugstack.apis.conversations.types import Conversation
from plugstack.errors import BadRequestError

__all__ = ["ConversationStore"]

_metadata = MetaData()
_conversations = Table(
    "plugstack_conversations",
    _metadata,
    Column("id", String(64), primary_key=True),
    Column("created_at", Integer, nullable=False),
    Column("metadata_json", Text, nullable=False),
    Column("item_count", Integer, nullable=False),  # positions handed out: the next item's position
)
_items = Table(
    "plugstack_conversation_items",
    _metadata,
    Column("conversation_id", String(64), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("id", String(128), nullable=False),
    Column("data", Text, nullable=False),  # the item's OpenAI JSON
    UniqueConstraint("conversation_id", "id"),
)


class ConversationStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def initialize(self) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(_metadata.create_all)

    # -- conversations ----------------------------------------------------------------------------

    async def create(
        self, conversation_id: str, metadata: dict[str, str], items: Sequence[ConversationItem]
    ) -> Conversation:
        """A new conversation and its first items, in one transaction."""
        conversation = Conversation(id=conversation_id, created_at=int(time.time()), metadata=metadata)
        async with self.engine.begin() as conn:
            await conn.execute(
                _conversations.insert().values(
                    id=conversation.id,
                    created_at=conversation.created_at,
                    metadata_json=json.dumps(metadata),
                    item_count=len(items),
                )
            )
            await _insert_items(conn, conversation.id, 0, items)
        return conversation

    async def get(self, conversation_id: str) -> Conversation | None:
        async with self.engine.connect() as conn:
            return await _conversation(conn, conversation_id)

    async def set_metadata(self, conversation_id: str, metadata: dict[str, str]) -> Conversation | None:
        async with self.engine.begin() as conn:
            changed = await conn.execute(
                update(_conversations)
                .where(_conversations.c.id == _key(conversation_id))
                .values(metadata_json=json.dumps(metadata))
            )
            return await _conversation(conn, conversation_id) if changed.rowcount else None

    async def delete(self, conversation_id: str) -> bool:
        """Delete the conversation and its items; ``False`` if there was none.

        The conversation row goes first: that waits for an add in progress to commit, so
        the items it added are deleted too rather than left behind.
        """
        async with self.engine.begin() as conn:
            deleted = await conn.execute(delete(_conversations).where(_conversations.c.id == _key(conversation_id)))
            await conn.execute(delete(_items).where(_items.c.conversation_id == _key(conversation_id)))
        return bool(deleted.rowcount)

    # -- items ------------------------------------------------------------------------------------

    async def append(self, conversation_id: str, items: Sequence[ConversationItem], field: str) -> bool:
        """Add ``items`` after the conversation's last one; ``False`` if there is no such conversation.

        A 400 naming ``field[i].id`` when an item's id is already in the conversation: the
        unique index finds it, and only then is it looked for, so an add is two statements.
        """
        try:
            async with self.engine.begin() as conn:
                end = (
                    await conn.execute(
                        update(_conversations)
                        .where(_conversations.c.id == _key(conversation_id))
                        .values(item_count=_conversations.c.item_count + len(items))
                        .returning(_conversations.c.item_count)
                    )
                ).scalar_one_or_none()
                if end is None:
                    return False
                await _insert_items(conn, conversation_id, end - len(items), items)
        except IntegrityError:
            await self._refuse_taken_ids(conversation_id, items, field)
            raise
        return True

    async def _refuse_taken_ids(self, conversation_id: str, items: Sequence[ConversationItem], field: str) -> None:
        async with self.engine.connect() as conn:
            found = await conn.execute(
                select(_items.c.id).where(
                    _items.c.conversation_id == conversation_id, _items.c.id.in_([item.id for item in items])
                )
            )
            taken = set(found.scalars())
        for index, item in enumerate(items):
            if item.id in taken:
                raise BadRequestError(
                    f"{field}[{index}].id: the conversation already has an item {item.id!r}",
                    param=f"{field}[{index}].id",
                )

    async def page(
        self, conversation_id: str, *, after: str | None, limit: int, descending: bool
    ) -> list[ConversationItem]:
        """Up to ``limit`` items in position order, after the item ``after`` (``None``: from the start).

        One query: the cursor's position is a subquery. An unknown conversation or cursor
        gives no items; the caller tells those apart from an exhausted list when it gets none.
        """
        position = _items.c.position
        query = select(_items.c.data).where(_items.c.conversation_id == _key(conversation_id))
        if after is not None:
            cursor = (
                select(position)
                .where(_items.c.conversation_id == _key(conversation_id), _items.c.id == _key(after))
                .scalar_subquery()
            )
            query = query.where(position < cursor if descending else position > cursor)
        query = query.order_by(position.desc() if descending else position).limit(limit)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).scalars().all()
        return [ITEM_ADAPTER.validate_json(row) for row in rows]

    async def has_item(self, conversation_id: str, item_id: str) -> bool:
        async with self.engine.connect() as conn:
            found = await conn.execute(
                select(_items.c.position).where(
                    _items.c.conversation_id == _key(conversation_id), _items.c.id == _key(item_id)
                )
            )
            return found.first() is not None

    async def get_item(self, conversation_id: str, item_id: str) -> ConversationItem | None:
        async with self.engine.connect() as conn:
            found = await conn.execute(
                select(_items.c.data).where(
                    _items.c.conversation_id == _key(conversation_id), _items.c.id == _key(item_id)
                )
            )
            data = found.scalar_one_or_none()
        return None if data is None else ITEM_ADAPTER.validate_json(data)

    async def delete_item(self, conversation_id: str, item_id: str) -> bool:
        async with self.engine.begin() as conn:
            deleted = await conn.execute(
                delete(_items).where(_items.c.conversation_id == _key(conversation_id), _items.c.id == _key(item_id))
            )
        return bool(deleted.rowcount)


def _key(value: str) -> str:
    """``value`` to look up: one with a NUL matches nothing, as no id has one (PostgreSQL refuses NUL in text)."""
    return "" if "\x00" in value else value


async def _conversation(conn: AsyncConnection, conversation_id: str) -> Conversation | None:
    row = (await conn.execute(select(_conversations).where(_conversations.c.id == _key(conversation_id)))).first()
    if row is None:
        return None
    return Conversation(id=row.id, created_at=row.created_at, metadata=json.loads(row.metadata_json))


async def _insert_items(
    conn: AsyncConnection, conversation_id: str, first_position: int, items: Sequence[ConversationItem]
) -> None:
    if not items:
        return
    rows = [
        {
            "conversation_id": conversation_id,
            "position": first_position + offset,
            "id": item.id,
            "data": item.model_dump_json(),
        }
        for offset, item in enumerate(items)
    ]
    await conn.execute(_items.insert(), rows)
