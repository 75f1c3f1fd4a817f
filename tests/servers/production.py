"""A production-style server for the drain, health and settings tests (tests/test_production.py).

`production.py http PORT` serves Streamable HTTP on PORT; `production.py env` calls a bare `mcp.run()`, so the
transport, port and paths come from the `FASTMCP_*` environment (or a `.env` file), as FastMCP 4 reads them.
`PROD_CUSTOM_HEALTH=1` adds the user's own `/healthz` custom route.
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import asynccontextmanager

import anyio
import httpx
from fastmcp_rs import Context, FastMCP
from fastmcp_rs.exceptions import ToolError
from starlette.requests import Request
from starlette.responses import PlainTextResponse


@asynccontextmanager
async def lifespan(server: FastMCP):
    async with httpx.AsyncClient() as client:
        yield {"client": client}
    # Printed once the run is over: the tests see that the lifespan's exit ran after the drain.
    print("lifespan: closed", file=sys.stderr, flush=True)


mcp = FastMCP("production", lifespan=lifespan)


@mcp.tool
async def slow_report(seconds: float, ctx: Context) -> dict:
    """Sleeps, reporting progress, then answers (an async call in flight at shutdown)."""
    await ctx.report_progress(0, 1)
    await anyio.sleep(seconds)
    await ctx.report_progress(1, 1)
    return {"slept": seconds, "client_open": not ctx.lifespan_context["client"].is_closed}


@mcp.tool
def slow_sync(seconds: float) -> str:
    """A blocking call in flight at shutdown."""
    time.sleep(seconds)
    return f"slept {seconds}"


@mcp.tool
def add(a: int, b: int) -> int:
    return a + b


@mcp.tool
def refuse(reason: str) -> str:
    """Always fails, as a tool that checks its input does."""
    raise ToolError(f"refused: {reason}")


if os.environ.get("PROD_CUSTOM_HEALTH"):

    @mcp.custom_route("/healthz", methods=["GET"])
    async def health(request: Request) -> PlainTextResponse:
        return PlainTextResponse("mine")


if __name__ == "__main__":
    if sys.argv[1:2] == ["env"]:
        mcp.run()
    else:
        mcp.run(transport="http", port=int(sys.argv[2]))
