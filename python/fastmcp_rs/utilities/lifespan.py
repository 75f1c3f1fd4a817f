"""``fastmcp.utilities.lifespan``: ``combine_lifespans(*lifespans)``, one lifespan made of several, as FastMCP 4
has it: for an app that mounts the MCP app (``FastAPI(lifespan=combine_lifespans(app_lifespan,
mcp_app.lifespan))``) or a server with more than one lifespan.

Each lifespan is a function of the app returning an async context manager. They are entered in the order given
and exited in the reverse order (a failure to enter one exits those already entered); what they yield, when a
mapping (FastAPI's yield ``None``), is merged into one ``dict``, a later lifespan's keys winning."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeVar

__all__ = ["combine_lifespans"]

AppT = TypeVar("AppT")


def combine_lifespans(
    *lifespans: Callable[[AppT], AbstractAsyncContextManager[Mapping[str, Any] | None]],
) -> Callable[[AppT], AbstractAsyncContextManager[dict[str, Any]]]:
    """One lifespan running ``lifespans`` nested, first outermost; it yields their merged results."""

    @contextlib.asynccontextmanager
    async def combined(app: AppT) -> AsyncIterator[dict[str, Any]]:
        state: dict[str, Any] = {}
        async with contextlib.AsyncExitStack() as stack:
            for lifespan in lifespans:
                entered = await stack.enter_async_context(lifespan(app))
                if entered is not None:
                    state.update(entered)
            yield state

    return combined
