"""``LineWriter``: a batch's finished lines, stored as they come, many per transaction.

Workers hand results over without waiting; a :class:`~plugstack.storage.group_commit.GroupCommit`
stores everything that finished during the previous commit in the next one. A stop waits
for the last commit; what a crash loses is at most the results not yet committed, and
those lines run again at the next start. The first failed write stops the batch.
"""

from __future__ import annotations

import asyncio

from plugstack.apis.batches.records import BatchRecords, LineResult
from plugstack.storage.group_commit import GroupCommit

__all__ = ["LineWriter"]


class LineWriter:
    def __init__(self, records: BatchRecords, batch_id: str) -> None:
        self.batch_id = batch_id
        self.error: Exception | None = None  # the store failed: the batch cannot go on
        self._lines: GroupCommit[LineResult] = GroupCommit(lambda results: records.add_lines(batch_id, results))

    def add(self, result: LineResult) -> None:
        """Store ``result`` soon (with whatever else finishes before the next commit)."""
        self._lines.submit(result).add_done_callback(self._note_failure)

    async def drain(self) -> None:
        """Wait until every result added so far is stored; raise what the store raised."""
        await self._lines.drain()
        if self.error is not None:
            raise self.error

    def _note_failure(self, future: asyncio.Future[None]) -> None:
        if not future.cancelled() and future.exception() is not None and self.error is None:
            exception = future.exception()
            self.error = exception if isinstance(exception, Exception) else RuntimeError(str(exception))
