"""``ModelRunner``: llama.cpp model instances, each used by one request at a time, off the event loop.

llama.cpp calls block for as long as they compute, and a ``Llama`` object is not safe
across threads. So each instance of a model gets its own worker thread (all its llama.cpp
calls run there) and serves one request at a time, from its first token to its last.
Requests wait for a free instance in arrival order (an ``asyncio.Queue`` of free
instances: its getters are served first come, first served); ``instances: 1`` (the
default) serialises a model completely. A stream runs its whole generation loop in the
worker thread, which hands each item to the event loop; when the consumer stops
listening (client gone, task cancelled, ``aclose()``), a flag that the worker checks
between tokens stops generation, and the instance is free again the moment the worker
returns, not when the whole answer would have been generated. The worker runs at most
``WINDOW`` items ahead of its consumer: a slow client slows generation down instead of
piling up text, and a client that leaves wastes at most that many tokens.
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


class _Instance:
    """One ``Llama`` (loaded on first use) and the single thread that may call it."""

    def __init__(self, name: str) -> None:
        self.llama: Llama | None = None
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)


class ModelRunner:
    """A lazily loaded model: its instances, their threads, and the queue for them."""

    def __init__(self, config: LlamaCppModelConfig, info: GGUFInfo) -> None:
        self.config = config
        self.info = info
        self.instances = [_Instance(f"llama-cpp[{config.model_id}#{i}]") for i in range(config.instances)]
        self._free: asyncio.Queue[_Instance] = asyncio.Queue()
        for instance in self.instances:
            self._free.put_nowait(instance)
        self._active: set[threading.Event] = set()

    @property
    def loaded(self) -> bool:
        return any(instance.llama is not None for instance in self.instances)

    @property
    def busy(self) -> int:
        """Instances serving a request now."""
        return len(self.instances) - self._free.qsize()

    async def load(self) -> None:
        """Load every instance now rather than on first use."""
        for _ in self.instances:
            instance = await self._free.get()
            try:
                await asyncio.get_running_loop().run_in_executor(instance.executor, self._load, instance)
            finally:
                self._free.put_nowait(instance)

    async def run(self, work: Callable[[Llama], T]) -> T:
        """Run ``work(llama)`` in a worker thread once an instance is free."""
        instance = await self._free.get()
        try:
            return await asyncio.get_running_loop().run_in_executor(
                instance.executor, lambda: work(self._load(instance))
            )
        finally:
            self._free.put_nowait(instance)

    async def stream(self, work: Callable[[Llama, threading.Event], Iterator[T]]) -> AsyncIterator[T]:
        """Iterate ``work(llama, stop)`` in a worker thread; ``stop`` is set when the consumer leaves.

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

        def produce(instance: _Instance) -> None:
            try:
                iterator = work(self._prepared(instance), stop)
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

        instance = await self._free.get()
        self._active.add(stop)
        try:
            future = loop.run_in_executor(instance.executor, produce, instance)
        except BaseException:
            self._release(instance, stop)
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
            future.add_done_callback(lambda _: self._release(instance, stop))

    async def idle(self) -> None:
        """Wait until no instance serves a request."""
        taken = [await self._free.get() for _ in self.instances]
        for instance in taken:
            self._free.put_nowait(instance)

    async def close(self) -> None:
        """Stop running generations, free the models and the threads.

        A stream whose consumer neither finished nor closed it keeps its instance, but its
        worker stops at once: after a grace period the models are freed anyway (each
        instance's single thread still keeps its llama.cpp calls apart).
        """
        for stop in list(self._active):
            stop.set()
        try:
            await asyncio.wait_for(self.idle(), timeout=CLOSE_GRACE_SECONDS)
        except TimeoutError:
            log.warning("model %r: a stream was left open at shutdown; freeing the model anyway", self.config.model_id)
        loop = asyncio.get_running_loop()
        for instance in self.instances:
            await loop.run_in_executor(instance.executor, self._unload, instance)
            instance.executor.shutdown(wait=False)

    def _release(self, instance: _Instance, stop: threading.Event) -> None:
        self._active.discard(stop)
        self._free.put_nowait(instance)

    def _prepared(self, instance: _Instance) -> Llama:
        """The loaded model, its KV cache forgotten unless prompt prefixes may be reused."""
        llama = self._load(instance)
        if not self.config.reuse_prompt_prefix:
            llama.reset()  # type: ignore[no-untyped-call]
        return llama

    def _load(self, instance: _Instance) -> Llama:
        """Load the instance's model (its worker thread only); later calls return the loaded one."""
        if instance.llama is not None:
            return instance.llama
        from llama_cpp import LLAMA_POOLING_TYPE_MEAN, LLAMA_POOLING_TYPE_UNSPECIFIED, Llama

        config = self.config
        pooling = LLAMA_POOLING_TYPE_UNSPECIFIED
        if config.embedding and not self.info.has_pooling_type:
            pooling = LLAMA_POOLING_TYPE_MEAN  # one vector per input, not one per token
        try:
            instance.llama = Llama(
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
        return instance.llama

    @staticmethod
    def _unload(instance: _Instance) -> None:
        if instance.llama is not None:
            instance.llama.close()
            instance.llama = None


def _wait_for_credit(credits: threading.Semaphore, stop: threading.Event) -> bool:
    """Wait until the consumer is less than ``WINDOW`` items behind; ``False`` once ``stop`` is set."""
    while not credits.acquire(timeout=0.1):
        if stop.is_set():
            return False
    return not stop.is_set()
