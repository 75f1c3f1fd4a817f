"""In-memory runs of a fastmcp_rs server: its lifespan and native handle, shared by every in-memory connection
open on it in this event loop (``Client(mcp)``, ``mcp.test_client()``, ``mcp._mcp_server.run(...)``). The
lifespan runs once per run, as it does for stdio and HTTP. Needs no MCP SDK."""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from typing import Any

import anyio

__all__ = ["acquire_run", "release_run", "stop_handle"]


class _MemoryRun:
    """One in-memory run of a fastmcp_rs server: its lifespan and native handle, shared by all the in-memory
    connections open on it (the lifespan runs once per run, as it does for stdio and HTTP)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.users = 0
        self.ready = asyncio.Event()
        self.error: BaseException | None = None
        self.stack = contextlib.AsyncExitStack()


_RUNS: weakref.WeakKeyDictionary[Any, _MemoryRun] = weakref.WeakKeyDictionary()
_SHUTDOWN_GRACE = 5.0


async def acquire_run(server: Any) -> _MemoryRun:
    loop = asyncio.get_running_loop()
    run = _RUNS.get(server)
    if run is not None and run.loop is not loop:
        raise RuntimeError(f"{server!r} is already connected in memory on another event loop")
    if run is not None:
        run.users += 1
        await run.ready.wait()
        if run.error is not None:
            run.users -= 1
            raise RuntimeError(f"the in-memory run of {server!r} failed to start: {run.error}") from run.error
        return run
    run = _MemoryRun(loop)
    run.users = 1
    _RUNS[server] = run
    try:
        from .._context import _serving

        if server not in _serving:  # already running here (stdio, HTTP): its lifespan is not run a second time
            await run.stack.enter_async_context(server._running())
        handle = server._native.start_memory(loop.create_task)
        run.stack.push_async_callback(stop_handle, loop, handle)
        loop.add_reader(handle.fileno(), handle.drain)
        run.handle = handle  # type: ignore[attr-defined]
    except BaseException as exc:
        run.error = exc
        _RUNS.pop(server, None)
        await run.stack.aclose()
        raise
    finally:
        run.ready.set()
    return run


async def stop_handle(loop: asyncio.AbstractEventLoop, handle: Any) -> None:
    handle.shutdown()
    closed = loop.create_future()
    try:
        handle.wait_closed(closed)
        with anyio.move_on_after(_SHUTDOWN_GRACE):
            await asyncio.shield(closed)
    finally:
        loop.remove_reader(handle.fileno())
        handle.close()


async def release_run(server: Any, run: _MemoryRun) -> None:
    run.users -= 1
    if run.users > 0:
        return
    if _RUNS.get(server) is run:
        del _RUNS[server]
    await run.stack.aclose()
