"""A small in-process copy of rarely changing rows (tenants, clients), reloaded when stale."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Snapshot(Generic[T]):
    """A value loaded from the store, reloaded when older than ``ttl`` seconds.

    Changes made by this process call :meth:`invalidate`; changes made by other replicas are
    seen within ``ttl``. Concurrent readers of a stale snapshot wait for one reload.
    """

    def __init__(self, load: Callable[[], Awaitable[T]], ttl: float) -> None:
        self._load = load
        self._ttl = ttl
        self._value: T | None = None
        self._loaded_at = -float("inf")
        self._lock = asyncio.Lock()

    def _fresh(self, max_age: float) -> bool:
        return self._value is not None and time.monotonic() - self._loaded_at <= max_age

    async def get(self, *, max_age: float | None = None) -> T:
        """The value, reloaded first if older than ``max_age`` (default: the ttl)."""
        age = self._ttl if max_age is None else min(max_age, self._ttl)
        if not self._fresh(age):
            async with self._lock:
                if not self._fresh(age):
                    started = time.monotonic()
                    self._value = await self._load()
                    self._loaded_at = started
        assert self._value is not None
        return self._value

    def invalidate(self) -> None:
        self._loaded_at = -float("inf")
