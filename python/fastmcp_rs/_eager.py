"""Helpers for starting async calls in their asyncio Task (the rest is native: see ``start_task`` in
``src/python/backend.rs``)."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any


async def bind_current(coro: Coroutine[Any, Any, Any], set_current: Any, handle: Any) -> Any:
    """Python 3.10 (``create_task`` takes no context): sets the current request inside the Task's own
    context, then runs the call."""
    set_current(handle)
    return await coro
