"""``ModelRunner``: one llama.cpp model instance, used by one request at a time, off the event loop.

llama.cpp calls block for as long as they compute, and a ``Llama`` object is not safe
across threads. So each model gets one worker thread (all its llama.cpp calls run there)
and one ``asyncio.Lock``, held by a request from its first token to its last: requests
queue on the lock in arrival order (asyncio locks are FIFO). A stream runs its whole
generation loop in the worker thread, which hands each item to the event loop; when the
consumer stops listening (client gone, task cancelled, ``aclose()``), a flag that the
worker checks between tokens stops generation, and the lock is released the moment the
worker returns, not when the whole answer would have been generated. The worker runs at
most ``WINDOW`` items ahead of its consumer: a slow client slows generation down instead
of piling up text, and a client that leaves wastes at most that many tokens.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from plugstack.errors import ConfigError
from plugstack_llama_cpp.config import LlamaCppModelConfig
from plugstack_llama_cpp.gguf_file import GGUFInfo

if TYPE_CHECKING:
    from llama_cpp import Llama

__all__ = ["ModelRunner"]

T = TypeVar("T")
WINDOW = 32
CLOSE_GRACE_SECONDS = 5.0
log = logging.getLogger("plugstack.llama_cpp")
_END = object()


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class ModelRunner:
    """A lazily loaded model and the thread and lock that serialise its use."""

    def __init__(self, config: LlamaCppModelConfig, info: GGUFInfo) -> None:
        self.config = config
        self.info = info
        self._llama: Llama | None = None
        self._lock = asyncio.Lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"llama-cpp[{config.model_id}]")
        self._active: set[threading.Event] = set()

    @property
    def loaded(self) -> bool:
        return self._llama is not None

    async def load(self) -> None:
        async with self._lock:
            await asyncio.get_running_loop().run_in_executor(self._executor, self._load)

    async def run(self, work: Callable[[Llama], T]) -> T:
        """Run ``work(llama)`` in the worker thread once earlier requests are done."""
        async with self._lock:
            return await asyncio.get_running_loop().run_in_executor(self._executor, lambda: work(self._load()))

    async def stream(self, work: Callable[[Llama, threading.Event], Iterator[T]]) -> AsyncIterator[T]:
        """Iterate ``work(llama, stop)`` in the worker thread; ``stop`` is set when the consumer leaves.

        ``work`` should check ``stop`` between tokens; the runner also stops pulling items
        once it is set.
        """
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        stop = threading.Event()
        credits = threading.Semaphore(WINDOW)

        def put(item: Any) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:  # the loop is closed: nobody is listening any more
                stop.set()

        def produce() -> None:
            try:
                iterator = work(self._prepared(), stop)
                try:
                    for item in iterator:
                        if not _wait_for_credit(credits, stop):
                            break
                        put(item)
                        # hand the GIL to the event loop at once rather than after the 5 ms
                        # switch interval: measured, this brings the first token to the
                        # consumer as fast as calling llama-cpp-python directly
                        time.sleep(0)
                finally:
                    close = getattr(iterator, "close", None)
                    if close is not None:
                        close()
            except BaseException as exc:
                put(_Failure(exc))
            finally:
                put(_END)

        await self._lock.acquire()
        self._active.add(stop)
        try:
            future = loop.run_in_executor(self._executor, produce)
        except BaseException:
            self._release(stop)
            raise
        try:
            while (item := await queue.get()) is not _END:
                if isinstance(item, _Failure):
                    raise item.error
                credits.release()
                yield item
        finally:
            stop.set()
            credits.release()  # wake a worker waiting for credit: it sees stop and returns
            future.add_done_callback(lambda _: self._release(stop))

    async def close(self) -> None:
        """Stop running generations, free the model and the thread.

        A stream whose consumer neither finished nor closed it keeps the lock, but its
        worker stops at once: after a grace period the model is freed anyway (the single
        worker thread still keeps llama.cpp calls apart).
        """
        for stop in list(self._active):
            stop.set()
        try:
            await asyncio.wait_for(self._lock.acquire(), timeout=CLOSE_GRACE_SECONDS)
        except TimeoutError:
            log.warning("model %r: a stream was left open at shutdown; freeing the model anyway", self.config.model_id)
        else:
            self._lock.release()
        await asyncio.get_running_loop().run_in_executor(self._executor, self._unload)
        self._executor.shutdown(wait=False)

    def _release(self, stop: threading.Event) -> None:
        self._active.discard(stop)
        self._lock.release()

    def _prepared(self) -> Llama:
        """The loaded model, its KV cache forgotten unless prompt prefixes may be reused."""
        llama = self._load()
        if not self.config.reuse_prompt_prefix:
            llama.reset()  # type: ignore[no-untyped-call]
        return llama

    def _load(self) -> Llama:
        """Load the model (worker thread only); later calls return the loaded one."""
        if self._llama is not None:
            return self._llama
        from llama_cpp import LLAMA_POOLING_TYPE_MEAN, LLAMA_POOLING_TYPE_UNSPECIFIED, Llama

        config = self.config
        pooling = LLAMA_POOLING_TYPE_UNSPECIFIED
        if config.embedding and not self.info.has_pooling_type:
            pooling = LLAMA_POOLING_TYPE_MEAN  # one vector per input, not one per token
        try:
            self._llama = Llama(
                model_path=str(self.info.path),
                n_ctx=config.n_ctx,
                n_threads=config.n_threads,
                n_threads_batch=config.n_threads,
                n_batch=config.n_batch,
                n_gpu_layers=config.n_gpu_layers,
                chat_format=config.chat_format,
                embedding=config.embedding,
                pooling_type=pooling,
                logits_all=config.logprobs,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise ConfigError(f"model {config.model_id!r}: llama.cpp could not load {self.info.path}: {exc}") from None
        return self._llama

    def _unload(self) -> None:
        if self._llama is not None:
            self._llama.close()
            self._llama = None


def _wait_for_credit(credits: threading.Semaphore, stop: threading.Event) -> bool:
    """Wait until the consumer is less than ``WINDOW`` items behind; ``False`` once ``stop`` is set."""
    while not credits.acquire(timeout=0.1):
        if stop.is_set():
            return False
    return not stop.is_set()
