"""``BoundedCache``: what is kept between pages, least recently used first out, within a byte budget."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

__all__ = ["BoundedCache"]


class BoundedCache:
    """Values by key, each with a cost in bytes; the total never exceeds ``max_bytes``.

    A value costing more than the whole budget is not kept: its reader pays for it on
    every page rather than evicting everything else. Pages are read in worker threads,
    hence the lock.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.used = 0
        self._entries: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> object | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key: Hashable, value: object, cost: int) -> None:
        with self._lock:
            self._remove(key)
            if cost > self.max_bytes:
                return
            self._entries[key] = (value, cost)
            self.used += cost
            while self.used > self.max_bytes:
                oldest = next(iter(self._entries))
                self._remove(oldest)

    def drop(self, matches: Callable[[Hashable], bool]) -> None:
        """Forget every entry whose key ``matches``."""
        with self._lock:
            for key in [key for key in self._entries if matches(key)]:
                self._remove(key)

    def _remove(self, key: Hashable) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self.used -= entry[1]
