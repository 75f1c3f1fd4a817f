"""The server of the resumable-stream tests: `python resumable.py http 0 [--no-store] [--sse]`. Keep-alive
comments every 50 ms and a 100 ms retry interval, so the tests see both without waiting long."""

from __future__ import annotations

import asyncio
import sys

from fastmcp_rs import Context, FastMCP
from fastmcp_rs.server.event_store import EventStore

mcp = FastMCP("resumable", event_store=False if "--no-store" in sys.argv else EventStore(max_events_per_stream=50))

#: Gates a call waits at until another call opens them (`release`).
_gates: dict[str, asyncio.Event] = {}


def _gate(name: str) -> asyncio.Event:
    return _gates.setdefault(name, asyncio.Event())


@mcp.tool
async def chatty(steps: int, ctx: Context) -> str:
    """Logs once, reports progress `steps` times, then answers."""
    await ctx.info("starting")
    for i in range(steps):
        await ctx.report_progress(i + 1, steps)
    return "chatted"


@mcp.tool
async def gated(gate: str, ctx: Context) -> str:
    """Logs "one", waits until `release(gate)`, logs "two", answers."""
    await ctx.info("one")
    await _gate(gate).wait()
    await ctx.info("two")
    return f"passed {gate}"


@mcp.tool
async def release(gate: str) -> str:
    _gate(gate).set()
    return "released"


@mcp.tool
async def close_early(ctx: Context) -> str:
    """Reports progress, ends its SSE response, and goes on: the client gets the rest when it reconnects."""
    await ctx.report_progress(1, 2)
    await ctx.close_sse_stream()
    await asyncio.sleep(0.2)
    await ctx.info("after the close")
    return "finished after the close"


@mcp.tool
async def slow(seconds: float) -> str:
    await asyncio.sleep(seconds)
    return "slow done"


if __name__ == "__main__":
    mcp.run(
        transport="sse" if "--sse" in sys.argv else "http",
        host="127.0.0.1",
        port=int(sys.argv[2]) if len(sys.argv) > 2 else 0,
        retry_interval=100,
        keep_alive_interval=0.05,
    )
