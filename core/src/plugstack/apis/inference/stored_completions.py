"""``StoredCompletions``: the chat completions created with ``store: true``, in the SQL store.

One row per completion in the stack's SQL store (``storage.sqlstore``: SQLite by default,
PostgreSQL), written before the completion is returned (or, streamed, before ``[DONE]``),
so that a client that has its answer can always read it back; concurrent writes share
transactions (:mod:`.batched_inserts`). The table is created on the
first use: a stack that never stores never opens the SQL store.

Listing pages through the rows by ``(created_ns, id)`` in SQL (keyset pagination), so a
page costs the same however many completions are stored; the SQL store's own helpers
filter by equality only, hence SQLAlchemy Core on its engine here.

Ids are the ones the provider returned. OpenAI's are unique, but other upstreams' need
not be (a test double's counter restarts with its process), and a record must never be
overwritten or lost: a completion whose id is already stored, or is being streamed by
another request of this process, gets a fresh ``chatcmpl-...`` id, which is the id its
client sees. Two processes on one database streaming the same id at the same moment is
the one case the client's id cannot be kept: the second is stored under a fresh id (so
it still lists) and a warning names both.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, MetaData, String, Table, and_, bindparam, or_, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from plugstack.apis.inference.types import (
    ChatCompletion,
    ChatCompletionDeleted,
    ChatCompletionList,
    ChatCompletionRequest,
    ChatMessageList,
    StoredChatCompletion,
    StoredChatMessage,
)
from plugstack.errors import BadRequestError, NotFoundError
from plugstack.storage import SqlStore
from plugstack.storage.first_use import FirstUse
from plugstack.storage.group_commit import GroupCommit

__all__ = ["MAX_PAGE", "StoredCompletions"]

log = logging.getLogger("plugstack.inference")

MAX_PAGE = 100  # OpenAI's bound on ``limit``
_ID_LENGTH = 512

_METADATA = MetaData()
_TABLE = Table(
    "plugstack_chat_completions",
    _METADATA,
    Column("id", String(_ID_LENGTH), primary_key=True),
    Column("created_ns", BigInteger, nullable=False),  # when it was stored: the listing order
    Column("model", String(_ID_LENGTH), nullable=False),  # the id the caller asked for
    Column("metadata", JSON, nullable=False),
    Column("completion", JSON, nullable=False),
    Column("messages", JSON, nullable=False),  # the request's messages
)
Index("ix_plugstack_chat_completions_order", _TABLE.c.created_ns, _TABLE.c.id)
_LISTED = (_TABLE.c.id, _TABLE.c.completion, _TABLE.c["metadata"])
# built once: building a statement costs more than running it on SQLite (~0.5 ms)
_BY_ID = _TABLE.c.id == bindparam("completion_id")
_EXISTS = select(_TABLE.c.id).where(_BY_ID)
_GET = select(*_LISTED).where(_BY_ID)
_POSITION = select(_TABLE.c.created_ns).where(_BY_ID)
_MESSAGES = select(_TABLE.c.messages).where(_BY_ID)


class StoredCompletions:
    def __init__(self, sqlstore: Callable[[], Awaitable[SqlStore]]) -> None:
        self._sqlstore = sqlstore
        self._db = FirstUse(self._open)
        self._streaming: set[str] = set()  # ids claimed by streams of this process, not stored yet
        self._inserts: GroupCommit[dict[str, Any]] = GroupCommit(self._insert_rows, split_on=(IntegrityError,))

    async def _open(self) -> AsyncEngine:
        """The SQL store's engine, the table created (on first use: see :mod:`plugstack.storage.first_use`)."""
        engine = (await self._sqlstore()).engine
        async with engine.begin() as conn:
            await conn.run_sync(_METADATA.create_all)  # checks first
        return engine

    # -- writing ------------------------------------------------------------------------------

    async def add(self, completion: ChatCompletion, request: ChatCompletionRequest) -> ChatCompletion:
        """Store ``completion``, answering ``request``; it comes back under the id it is stored by."""
        if not _usable(completion.id) or completion.id in self._streaming:
            completion.id = _fresh_id()
        try:
            await self._insert(completion, request)
        except IntegrityError:  # the id is taken: OpenAI's never are, other upstreams' may be
            completion.id = _fresh_id()
            await self._insert(completion, request)  # a fresh id is never taken: any error now is real
        return completion

    async def claim(self, completion_id: str | None) -> str:
        """The id a streamed completion will be stored by, claimed until :meth:`add_streamed` or :meth:`release`.

        Its chunks carry this id, so it is decided before the first one reaches the client.
        """
        claimed = completion_id if completion_id and _usable(completion_id) else _fresh_id()
        if claimed in self._streaming or await self._exists(claimed):
            claimed = _fresh_id()
        self._streaming.add(claimed)
        return claimed

    def release(self, completion_id: str) -> None:
        self._streaming.discard(completion_id)

    async def add_streamed(self, completion: ChatCompletion, request: ChatCompletionRequest) -> None:
        """Store a streamed completion under its claimed id (the module docstring says when it cannot)."""
        claimed = completion.id
        try:
            await self._insert(completion, request)
        except IntegrityError:
            completion.id = _fresh_id()
            log.warning(
                "streamed chat completion %s is stored as %s: another process stored the same id meanwhile",
                claimed,
                completion.id,
            )
            await self._insert(completion, request)
        finally:
            self.release(claimed)

    async def _exists(self, completion_id: str) -> bool:
        async with (await self._db()).connect() as conn:
            found = await conn.execute(_EXISTS, {"completion_id": completion_id})
            return found.first() is not None

    async def _insert(self, completion: ChatCompletion, request: ChatCompletionRequest) -> None:
        row = {
            "id": completion.id,
            "created_ns": time.time_ns(),
            "model": completion.model,
            "metadata": request.metadata or {},
            "completion": completion.model_dump(mode="json", exclude_none=True),
            "messages": [message.model_dump(mode="json", exclude_none=True) for message in request.messages],
        }
        await self._inserts.write(row)

    async def _insert_rows(self, rows: list[dict[str, Any]]) -> None:
        async with (await self._db()).begin() as conn:
            await conn.execute(_TABLE.insert(), rows)

    # -- reading ------------------------------------------------------------------------------

    async def get(self, completion_id: str) -> StoredChatCompletion:
        async with (await self._db()).connect() as conn:
            row = (await conn.execute(_GET, {"completion_id": completion_id})).first()
        if row is None:
            raise _not_found(completion_id)
        return _stored(row._mapping)

    async def list(
        self,
        *,
        after: str | None,
        limit: int,
        order: str,
        model: str | None,
        metadata: Mapping[str, str] | None,
    ) -> ChatCompletionList:
        _check_page(limit, order)
        query = select(*_LISTED)
        if model is not None:
            query = query.where(_TABLE.c.model == model)
        for key, value in (metadata or {}).items():
            query = query.where(_TABLE.c["metadata"][key].as_string() == value)
        async with (await self._db()).connect() as conn:
            if after is not None:
                cursor = (await conn.execute(_POSITION, {"completion_id": after})).scalar_one_or_none()
                if cursor is None:
                    raise NotFoundError(
                        f"{after!r} (the 'after' cursor) is not a stored chat completion", param="after"
                    )
                query = query.where(_beyond(cursor, after, descending=order == "desc"))
            ordering = (_TABLE.c.created_ns, _TABLE.c.id)
            query = query.order_by(*(c.desc() for c in ordering) if order == "desc" else ordering).limit(limit + 1)
            rows = (await conn.execute(query)).all()
        page = [_stored(row._mapping) for row in rows[:limit]]
        return ChatCompletionList(
            data=page,
            first_id=page[0].id if page else None,
            last_id=page[-1].id if page else None,
            has_more=len(rows) > limit,
        )

    async def messages(self, completion_id: str, *, after: str | None, limit: int, order: str) -> ChatMessageList:
        _check_page(limit, order)
        async with (await self._db()).connect() as conn:
            stored = (await conn.execute(_MESSAGES, {"completion_id": completion_id})).scalar_one_or_none()
        if stored is None:
            raise _not_found(completion_id)
        messages = [_message(f"{completion_id}-{i}", raw) for i, raw in enumerate(stored)]
        if order == "desc":
            messages.reverse()
        if after is not None:
            ids = [message.id for message in messages]
            if after not in ids:
                raise NotFoundError(
                    f"{after!r} (the 'after' cursor) is not a message of chat completion {completion_id!r}",
                    param="after",
                )
            messages = messages[ids.index(after) + 1 :]
        page = messages[:limit]
        return ChatMessageList(
            data=page,
            first_id=page[0].id if page else None,
            last_id=page[-1].id if page else None,
            has_more=len(messages) > limit,
        )

    # -- changing -----------------------------------------------------------------------------

    async def update_metadata(self, completion_id: str, metadata: dict[str, str] | None) -> StoredChatCompletion:
        async with (await self._db()).begin() as conn:
            result = await conn.execute(
                _TABLE.update().where(_TABLE.c.id == completion_id).values(metadata=metadata or {})
            )
        if not result.rowcount:
            raise _not_found(completion_id)
        return await self.get(completion_id)

    async def delete(self, completion_id: str) -> ChatCompletionDeleted:
        async with (await self._db()).begin() as conn:
            result = await conn.execute(_TABLE.delete().where(_TABLE.c.id == completion_id))
        if not result.rowcount:
            raise _not_found(completion_id)
        return ChatCompletionDeleted(id=completion_id)


def _usable(completion_id: str) -> bool:
    return 0 < len(completion_id) <= _ID_LENGTH


def _fresh_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex}"


def _not_found(completion_id: str) -> NotFoundError:
    return NotFoundError(f"stored chat completion {completion_id!r} not found", param="completion_id")


def _check_page(limit: int, order: str) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise BadRequestError(f"limit must be between 1 and {MAX_PAGE}, got {limit}", param="limit")
    if order not in ("asc", "desc"):
        raise BadRequestError(f"order must be 'asc' or 'desc', got {order!r}", param="order")


def _beyond(created_ns: int, completion_id: str, *, descending: bool) -> Any:
    """The rows after the cursor row ``(created_ns, completion_id)`` in the listing order."""
    if descending:
        return or_(
            _TABLE.c.created_ns < created_ns, and_(_TABLE.c.created_ns == created_ns, _TABLE.c.id < completion_id)
        )
    return or_(_TABLE.c.created_ns > created_ns, and_(_TABLE.c.created_ns == created_ns, _TABLE.c.id > completion_id))


def _stored(row: RowMapping) -> StoredChatCompletion:
    return StoredChatCompletion.model_validate({**row["completion"], "metadata": row["metadata"]})


def _message(message_id: str, raw: Mapping[str, Any]) -> StoredChatMessage:
    content = raw.get("content")
    if isinstance(content, list):
        texts = [part["text"] for part in content if isinstance(part, dict) and isinstance(part.get("text"), str)]
        return StoredChatMessage.model_validate(
            {**raw, "id": message_id, "content": "".join(texts) if texts else None, "content_parts": content}
        )
    return StoredChatMessage.model_validate({**raw, "id": message_id})
