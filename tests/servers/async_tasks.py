"""Async handlers that need a real asyncio Task from their first line: httpx (through sniffio/anyio),
asyncio.timeout, TaskGroup, anyio cancel scopes and contextvars, in tools, resources, prompts and completion.

python tests/servers/async_tasks.py [stdio | http PORT]
"""

from __future__ import annotations

import asyncio
import contextvars
import sys

import anyio
import httpx
import sniffio
from fastmcp_rs import FastMCP

mcp = FastMCP("async-tasks")

seen: contextvars.ContextVar[str | None] = contextvars.ContextVar("seen", default=None)


def _task_report() -> dict[str, object]:
    task = asyncio.current_task()
    return {"task": task is not None, "library": sniffio.current_async_library()}


@mcp.tool
async def fetch(url: str) -> str:
    """GETs a URL with httpx.AsyncClient, as the seed guides' tools do."""
    async with httpx.AsyncClient(timeout=5) as client:
        response = await client.get(url)
        response.raise_for_status()
        return response.text


@mcp.tool
async def task_report() -> dict[str, object]:
    """What the first line of an async tool sees."""
    return _task_report()


@mcp.tool
async def with_timeout() -> str:
    try:
        async with asyncio.timeout(0.01):
            await asyncio.sleep(5)
    except TimeoutError:
        return "timed out"
    return "not timed out"


@mcp.tool
async def task_group(n: int) -> list[int]:
    async def square(i: int) -> int:
        await asyncio.sleep(0)
        return i * i

    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(square(i)) for i in range(n)]
    return [t.result() for t in tasks]


@mcp.tool
async def anyio_scope() -> dict[str, bool]:
    with anyio.move_on_after(0.01) as scope:
        await anyio.sleep(5)
    return {"cancelled_caught": scope.cancelled_caught}


@mcp.tool
async def context_var(value: str) -> dict[str, str | None]:
    """Each call starts with the ContextVar unset: a value set by one call never reaches the next."""
    before = seen.get()
    seen.set(value)
    await asyncio.sleep(0)
    return {"before": before, "after": seen.get()}


@mcp.resource("tasks://report")
async def report_resource() -> dict[str, object]:
    return _task_report()


@mcp.prompt
async def report_prompt() -> str:
    return str(_task_report())


@mcp.completion()
async def complete(ref: object, argument: object, context: object) -> list[str]:
    report = _task_report()
    return [f"task={report['task']}", f"library={report['library']}"]


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "http":
        mcp.run(transport="http", host="127.0.0.1", port=int(sys.argv[2]))
    else:
        mcp.run()
