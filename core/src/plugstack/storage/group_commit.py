"""``GroupCommit``: writes from many tasks, stored by one writer, many per transaction.

A commit costs a flush to disk (milliseconds on SQLite, where writers also queue on the
database lock), far more than the row it stores: one transaction per stored chat
completion or per finished batch line would cap those at about a hundred a second. Here
each caller submits its item and gets a future; one writer task stores everything that
was submitted while its previous transaction ran, in one transaction, then the next lot.
A caller that awaits its future returns only once its own item is committed, so "stored
before it is reported" still holds; the cost of a commit is shared by every item that
came during the one before.

When a lot fails with one of ``split_on`` (a constraint one row breaks), its items are
written again one by one, so that only the offending items' futures fail.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

__all__ = ["GroupCommit"]

T = TypeVar("T")


class GroupCommit(Generic[T]):
    def __init__(
        self,
        write: Callable[[list[T]], Awaitable[None]],
        *,
        split_on: tuple[type[Exception], ...] = (),
    ) -> None:
        self._write = write
        self._split_on = split_on
        self._waiting: list[tuple[T, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    def submit(self, item: T) -> asyncio.Future[None]:
        """Queue ``item``; the future resolves once it is committed (or fails as its write did)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._writer is None:
            self._writer = asyncio.create_task(self._run(), name="plugstack group commit")
        return future

    async def write(self, item: T) -> None:
        """Store ``item`` with whatever else is waiting; return once it is committed.

        A caller that goes away (its client disconnected) does not stop the commit.
        """
        await asyncio.shield(self.submit(item))

    async def drain(self) -> None:
        """Wait until everything submitted so far is written (each future says how it went)."""
        while self._writer is not None:
            await asyncio.shield(self._writer)

    async def _run(self) -> None:
        try:
            while self._waiting:
                lot, self._waiting = self._waiting, []
                try:
                    await self._commit(lot)
                except BaseException as exc:  # cancelled: the stack is closing
                    _settle(lot + self._waiting, exc)
                    self._waiting = []
                    raise
        finally:
            self._writer = None

    async def _commit(self, lot: list[tuple[T, asyncio.Future[None]]]) -> None:
        try:
            await self._write([item for item, _ in lot])
        except self._split_on as exc:
            if len(lot) == 1:
                _settle(lot, exc)
                return
            for one in lot:
                await self._commit([one])
            return
        except Exception as exc:  # the database failed: these callers say so, later items try again
            _settle(lot, exc)
            return
        _settle(lot, None)


def _settle(lot: list[tuple[T, asyncio.Future[None]]], exc: BaseException | None) -> None:
    for _, future in lot:
        if future.done():
            continue
        if exc is None:
            future.set_result(None)
        elif isinstance(exc, asyncio.CancelledError):
            future.cancel()
        else:
            future.set_exception(exc)
