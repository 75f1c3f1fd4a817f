"""The key-value interface FastMCP 4's stores have (``py-key-value-aio``'s ``AsyncKeyValue``: ``get``, ``put``
and ``delete`` by key within a collection, with a time to live), and the in-memory store used when none is
given. Values are JSON-compatible dicts."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

__all__ = ["MemoryStore"]


class MemoryStore:
    """Entries with deadlines; past ``max_entries`` the least recently used go first."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self._entries: OrderedDict[tuple[str, str], tuple[float | None, dict[str, Any]]] = OrderedDict()
        self._max = max_entries

    async def get(self, key: str, *, collection: str | None = None) -> dict[str, Any] | None:
        slot = (collection or "", key)
        entry = self._entries.get(slot)
        if entry is None:
            return None
        deadline, value = entry
        if deadline is not None and time.monotonic() >= deadline:
            del self._entries[slot]
            return None
        self._entries.move_to_end(slot)
        return value

    async def put(
        self, key: str, value: Mapping[str, Any], *, collection: str | None = None, ttl: float | None = None
    ) -> None:
        slot = (collection or "", key)
        self._entries[slot] = (None if ttl is None else time.monotonic() + ttl, dict(value))
        self._entries.move_to_end(slot)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    async def delete(self, key: str, *, collection: str | None = None) -> bool:
        return self._entries.pop((collection or "", key), None) is not None
