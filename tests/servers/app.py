"""The server the integration tests drive: `python app.py [stdio|http] [port] [options...]`."""

from __future__ import annotations

import asyncio
import contextvars
import os
import sys
import time
from enum import Enum
from pathlib import Path
from typing import Annotated, Literal

from fastmcp_rs import Context, FastMCP, Image
from fastmcp_rs.exceptions import ToolError
from pydantic import BaseModel, Field

mcp = FastMCP(
    "test-app",
    instructions="Tools for the integration tests.",
    version="1.4.0",
    mask_error_details="--mask" in sys.argv,
    list_page_size=2 if "--paginate" in sys.argv else None,
)


class Environment(str, Enum):
    STAGING = "staging"
    PRODUCTION = "production"


class Order(BaseModel):
    """An order line."""

    sku: str
    quantity: int = Field(ge=1, le=100)
    note: str | None = None


@mcp.tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


@mcp.tool()
async def echo(text: str) -> str:
    """Echo the text back."""
    return text


@mcp.tool("deploy_status", tags={"ops"}, annotations={"readOnlyHint": True})
def get_deploy_status(service_name: str, environment: Environment, verbose: bool = False) -> dict:
    """Get the current deployment status for a service.

    Args:
        service_name: Lowercase alphanumeric with hyphens
        environment: Where it runs
    """
    return {"service": service_name, "environment": environment.value, "healthy": True, "verbose": verbose}


@mcp.tool
def place_order(order: Order, priority: Literal["low", "high"] = "low") -> Order:
    """Place an order."""
    return order


@mcp.tool
def scale(n: Annotated[int, Field(ge=1, le=10, description="Replica count")]) -> list[int]:
    return list(range(n))


@mcp.tool
def nothing() -> None:
    return None


@mcp.tool
def pixel() -> Image:
    return Image(data=bytes.fromhex("89504e470d0a1a0a"), format="png")


@mcp.tool
def fail_tool_error() -> str:
    raise ToolError("the deploy window is closed")


@mcp.tool
def fail_unexpected() -> str:
    raise RuntimeError("database password is hunter2")


@mcp.tool
def sleep_sync(seconds: float = 0.5) -> str:
    time.sleep(seconds)
    return "slept"


@mcp.tool
async def sleep_async(seconds: float = 0.5) -> str:
    await asyncio.sleep(seconds)
    return "slept"


@mcp.tool(timeout=0.2)
async def too_slow() -> str:
    await asyncio.sleep(5)
    return "never"


_call_var: contextvars.ContextVar[str] = contextvars.ContextVar("call_var", default="unset")


@mcp.tool
async def many_awaits(n: int) -> str:
    """Sets a context variable before its first await, then waits n times in different ways."""
    seen = _call_var.get()
    _call_var.set(f"call-{n}")
    loop = asyncio.get_running_loop()
    total = 0
    for i in range(n):
        await asyncio.sleep(0)
        fut = loop.create_future()
        loop.call_soon(fut.set_result, i)
        total += await fut
    await asyncio.sleep(0.001)
    return f"{seen}|{_call_var.get()}|{total}"


@mcp.tool
async def stubborn(marker: str) -> str:
    """Swallows the first cancellation and finishes anyway (a pattern some tools use for cleanup)."""
    try:
        await asyncio.sleep(60)
    except asyncio.CancelledError:
        await asyncio.sleep(0)
        Path(marker).write_text("cleaned up")
        raise
    return "finished"


@mcp.tool
async def wait_forever(marker: str) -> str:
    """Sleeps until cancelled; writes `marker` when the cancellation arrives."""
    try:
        await asyncio.sleep(60)
    except asyncio.CancelledError:
        Path(marker).write_text("cancelled")
        raise
    return "finished"


@mcp.tool
async def chatty(steps: int, ctx: Context) -> str:
    """Logs at every level and reports progress."""
    await ctx.debug("debug message")
    await ctx.info("info message", logger_name="app.logger")
    await ctx.warning("warning message", extra={"k": 1})
    for i in range(steps):
        await ctx.report_progress(i + 1, steps, f"step {i + 1}")
    return f"request={ctx.request_id} session={ctx.session_id is not None}"


@mcp.tool
def sync_context(ctx: Context) -> str:
    return f"sync request {ctx.request_id}"


def main() -> None:
    transport = sys.argv[1] if len(sys.argv) > 1 else "stdio"
    if transport == "stdio":
        mcp.run()
    else:
        port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
        mcp.run(
            transport="streamable-http",
            host="127.0.0.1",
            port=port,
            stateless_http="--stateless" in sys.argv,
            json_response="--json" in sys.argv,
            max_body_bytes=int(os.environ.get("APP_MAX_BODY", 4 * 1024 * 1024)),
            max_sessions=int(os.environ.get("APP_MAX_SESSIONS", 100_000)),
            session_idle_timeout=float(os.environ.get("APP_IDLE", 1800)),
            header_read_timeout=float(os.environ.get("APP_HEADER_TIMEOUT", 10)),
            body_read_timeout=float(os.environ.get("APP_BODY_TIMEOUT", 30)),
        )


if __name__ == "__main__":
    main()
