"""Eager start of async tools: the core runs a coroutine's first step at once, in a fresh context, and only a
coroutine that actually waits gets an asyncio Task. ``resume`` is what that Task runs."""

from __future__ import annotations

import types
from collections.abc import Coroutine, Generator
from typing import Any


@types.coroutine
def resume(coro: Coroutine[Any, Any, Any], first: Any) -> Generator[Any, Any, Any]:
    """Continues ``coro``, whose first step already ran and yielded ``first`` (the future it waits on).

    The Task waits on ``first`` exactly as if the coroutine had yielded it to the Task itself; whatever the
    Task throws in (a cancellation) goes into the coroutine, and from then on ``yield from`` delegates."""
    try:
        yield first
    except BaseException as exc:  # CancelledError, GeneratorExit: the coroutine must see it
        try:
            first = coro.throw(exc)
        except StopIteration as stop:
            return stop.value
        return (yield from resume(coro, first))
    return (yield from coro)


async def bind_current(coro: Coroutine[Any, Any, Any], set_current: Any, handle: Any) -> Any:
    """Python 3.10 (no eager start): sets the current request inside the Task's own context, then runs."""
    set_current(handle)
    return await coro
