"""Lifespans: code that runs once when the server starts and once when it stops.

``FastMCP(lifespan=fn)`` takes an async context manager factory that receives the server (FastMCP 4 and SDK v1
style), or a ``Lifespan`` made with ``@lifespan`` from an async generator; ``a | b`` runs both and merges their
dicts. What it yields is ``ctx.lifespan_context``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

__all__ = ["ComposedLifespan", "ContextManagerLifespan", "Lifespan", "lifespan"]


class Lifespan:
    """An async generator function ``(server) -> yields state`` usable as ``FastMCP(lifespan=...)``."""

    def __init__(self, fn: Callable[[Any], AsyncIterator[Any]]) -> None:
        self._cm = asynccontextmanager(fn)

    def __call__(self, server: Any) -> AbstractAsyncContextManager[Any]:
        return self._cm(server)

    def __or__(self, other: object) -> Lifespan:
        if not isinstance(other, Lifespan):
            raise TypeError(
                f"Cannot compose Lifespan with {type(other).__name__}. Use @lifespan decorator or wrap with "
                "ContextManagerLifespan()."
            )
        left, right = self, other

        async def both(server: Any) -> AsyncIterator[dict[str, Any]]:
            async with left(server) as a, right(server) as b:
                yield {**(a or {}), **(b or {})}

        return ComposedLifespan(both)


class ComposedLifespan(Lifespan):
    """``a | b``: runs both lifespans (``a`` first, ``b`` inside it) and merges what they yield."""


class ContextManagerLifespan(Lifespan):
    """Wraps an existing async context manager factory so it composes with ``|``."""

    def __init__(self, factory: Callable[[Any], AbstractAsyncContextManager[Any]]) -> None:
        self._cm = factory  # type: ignore[assignment]


def lifespan(fn: Callable[[Any], AsyncIterator[Any]]) -> Lifespan:
    """Decorator: ``@lifespan async def db(server): yield {"db": conn}``."""
    return Lifespan(fn)
