"""The batches router: what ``stack.batches`` is, in library and server mode alike.

It implements OpenAI's batches API over the stack's own routers: the input and output
files are files of the files API, and each request runs through the inference router,
its ``model`` routed as any other call's. Batches are rows of the SQL store
(:mod:`.records`), run in the background by :mod:`.runner`; at start-up every batch a
stop interrupted is resumed, so none stays unfinished.

At most :data:`MAX_IN_FLIGHT` requests of all batches run at once. The run config has no
place for a router's options yet, so this is the router's constructor argument (as the
vector stores router's ingestion bound is), not a run config setting.
"""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any

from plugstack.apis.batches.input import ENDPOINTS
from plugstack.apis.batches.records import BatchRecords
from plugstack.apis.batches.runner import UNFINISHED_STATUSES, BatchRunner
from plugstack.apis.batches.types import Batch, BatchList, CreateBatchRequest
from plugstack.apis.definition import RouterContext
from plugstack.apis.files.router import FilesRouter
from plugstack.apis.inference.router import InferenceRouter
from plugstack.errors import BadRequestError, ConflictError, NotFoundError, NotImplementedByProviderError
from plugstack.pagination import paginate
from plugstack.storage import SqlStore
from plugstack.validation import validate_request

__all__ = ["MAX_IN_FLIGHT", "BatchesRouter", "build_routers"]

log = logging.getLogger("plugstack.batches")

MAX_IN_FLIGHT = 8
_COMPLETION_WINDOW_SECONDS = {"24h": 24 * 3600}
_MAX_PAGE = 100
_CANCELLABLE = ("validating", "in_progress")


async def build_routers(context: RouterContext) -> dict[str, object]:
    """The batches router; it resumes the batches a stop interrupted, and stops with the stack."""
    router = BatchesRouter(
        await context.sqlstore(), files=context.routers["files"], inference=context.routers["inference"]
    )
    await router.initialize()
    context.on_shutdown(router.shutdown)
    return {"batches": router}


class BatchesRouter:
    def __init__(
        self,
        sqlstore: SqlStore,
        *,
        files: FilesRouter,
        inference: InferenceRouter,
        max_in_flight: int = MAX_IN_FLIGHT,
    ) -> None:
        self.records = BatchRecords(sqlstore)
        self.files = files
        self.runner = BatchRunner(self.records, files, inference, max_in_flight=max_in_flight)

    async def initialize(self) -> None:
        """Create the tables; resume every unfinished batch (a ``cancelling`` one ends cancelled)."""
        await self.records.initialize()
        for status in UNFINISHED_STATUSES:
            for batch in await self.records.find(status):
                log.info("resuming batch %s (%s)", batch.id, batch.status)
                self.runner.start(batch.id)

    async def shutdown(self) -> None:
        await self.runner.shutdown()

    async def create_batch(self, request: CreateBatchRequest | None = None, /, **params: Any) -> Batch:
        """Check the request and its input file, store the batch as ``validating`` and start it."""
        request = validate_request(CreateBatchRequest, request, params)
        if request.endpoint not in ENDPOINTS:
            raise BadRequestError(
                f"endpoint {request.endpoint!r} is not supported; plugstack batches {' and '.join(ENDPOINTS)}",
                param="endpoint",
            )
        if request.output_expires_after is not None:
            raise NotImplementedByProviderError(
                "output_expires_after is not supported by plugstack yet (files do not expire)",
                param="output_expires_after",
            )
        await self._check_input_file(request.input_file_id)
        now = int(time.time())
        batch = Batch(
            id=f"batch_{time.time_ns():016x}{secrets.token_hex(8)}",  # sorts by creation time
            endpoint=request.endpoint,
            input_file_id=request.input_file_id,
            completion_window=request.completion_window,
            created_at=now,
            expires_at=now + _COMPLETION_WINDOW_SECONDS[request.completion_window],
            metadata=request.metadata,
        )
        await self.records.add(batch)
        self.runner.start(batch.id)
        return batch

    async def retrieve_batch(self, batch_id: str) -> Batch:
        batch = await self.records.get(batch_id)
        if batch is None:
            raise NotFoundError(f"batch {batch_id!r} not found", param="batch_id")
        return self._live(batch)

    async def cancel_batch(self, batch_id: str) -> Batch:
        """Stop a ``validating`` or ``in_progress`` batch: ``cancelling`` now, ``cancelled`` once it stopped."""
        async with self.runner.transitions:
            batch = await self.retrieve_batch(batch_id)
            if batch.status in _CANCELLABLE:
                await self.records.update(batch.id, {"status": "cancelling", "cancelling_at": int(time.time())})
            elif batch.status != "cancelling":
                raise ConflictError(
                    f"batch {batch_id!r} is {batch.status}; only a validating or in_progress batch can be cancelled",
                    param="batch_id",
                )
        self.runner.request_cancel(batch.id)
        return await self.retrieve_batch(batch_id)

    async def list_batches(self, after: str | None = None, limit: int = 20) -> BatchList:
        """The batches, newest first, ``limit`` at a time after the batch ``after``."""
        batches = [self._live(batch) for batch in await self.records.find()]
        page, has_more = paginate(batches, limit=limit, order="desc", after=after, before=None, max_limit=_MAX_PAGE)
        return BatchList(
            data=page,
            first_id=page[0].id if page else None,
            last_id=page[-1].id if page else None,
            has_more=has_more,
        )

    async def _check_input_file(self, file_id: str) -> None:
        try:
            file = await self.files.retrieve_file(file_id)
        except NotFoundError:
            raise NotFoundError(f"input file {file_id!r} not found", param="input_file_id") from None
        if file.purpose != "batch":
            raise BadRequestError(
                f"input file {file_id!r} has purpose {file.purpose!r}; a batch's input file must have purpose 'batch'",
                param="input_file_id",
            )

    def _live(self, batch: Batch) -> Batch:
        """``batch`` with the counts of its running task, which are newer than the stored ones."""
        counts = self.runner.progress(batch.id)
        return batch if counts is None else batch.model_copy(update={"request_counts": counts})
