"""A server for the 2026-07-28 era tests (tests/test_modern.py): transparent and explicit multi-round-trip
requests, caching hints (server-wide and per component), listen subscriptions, tasks, x-mcp-header,
logging and progress.

    python era_app.py                 # stdio
    python era_app.py http PORT       # Streamable HTTP on 127.0.0.1:PORT/mcp

``ERA_KEYS`` (comma-separated) are the request-state keys (the first seals); ``ERA_NAME`` the server's
name; ``ERA_MARKS`` a directory where cancelled calls leave a file.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Annotated

from fastmcp_rs import Context, FastMCP, InputRequiredResult, RequestStateSecurity
from pydantic import BaseModel, Field

keys = [k for k in os.environ.get("ERA_KEYS", "").split(",") if k]
mcp = FastMCP(
    os.environ.get("ERA_NAME", "era-app"),
    instructions="2026-07-28 era fixtures.",
    version="2.0.0",
    cache_ttl=30,
    cache_scope="public",
    request_state_security=RequestStateSecurity(keys=keys, ttl=60) if keys else None,
)
MARKS = Path(os.environ.get("ERA_MARKS", "/nonexistent"))


class Person(BaseModel):
    name: str
    age: int


class Order(BaseModel):
    sku: str
    quantity: int = Field(ge=1)


@mcp.tool
def add(a: int, b: int) -> int:
    """Adds two integers."""
    return a + b


@mcp.tool
def place(order: Order) -> Order:
    """Echoes a pydantic order."""
    return order


@mcp.tool
async def onboard(ctx: Context) -> str:
    """Asks the user, then the client's model, then reads the client's roots."""
    person = await ctx.elicit("Who are you?", Person)
    if person.action != "accept":
        return f"onboarding {person.action}"
    reply = await ctx.sample(f"Write a welcome for {person.data.name}", max_tokens=30)
    roots = await ctx.list_roots()
    return f"{person.data.name} ({person.data.age}): {reply.text} [{len(roots)} roots]"


@mcp.tool
async def sdk_style(ctx: Context) -> str:
    """The SDK v1 spelling: ctx.session.elicit / create_message / list_roots."""
    answer = await ctx.session.elicit(
        "Pick a colour",
        requested_schema={"type": "object", "properties": {"colour": {"type": "string"}}, "required": ["colour"]},
    )
    roots = await ctx.session.list_roots()
    return f"{answer.action}:{(answer.content or {}).get('colour')}:{len(roots.roots)}"


@mcp.tool
def guard(action: str, ctx: Context) -> str | InputRequiredResult:
    """FastMCP 4's explicit form: a confirmation with a state of its own."""
    answers = ctx.input_responses or {}
    confirm = answers.get("confirm")
    if confirm is not None and ctx.request_state == f"pending:{action}":
        return f"{action}: {confirm.action} {confirm.content}"
    return InputRequiredResult(
        input_requests={
            "confirm": {
                "method": "elicitation/create",
                "params": {
                    "mode": "form",
                    "message": f"Really {action}?",
                    "requestedSchema": {"type": "object", "properties": {"ok": {"type": "boolean"}}},
                },
            }
        },
        request_state=f"pending:{action}",
    )


@mcp.tool(cache_ttl=5)
def quick() -> str:
    """A tool with a shorter caching hint than the server's."""
    return "quick"


@mcp.tool
async def chatty(steps: int, ctx: Context) -> str:
    """Logs at three levels and reports progress."""
    await ctx.debug("debug line")
    await ctx.info("info line")
    await ctx.warning("warning line")
    for i in range(steps):
        await ctx.report_progress(i + 1, steps, f"step {i + 1}")
    return f"{steps} steps, session={ctx.session_id is not None}"


@mcp.tool
async def sleepy(seconds: float, mark: str = "") -> str:
    """Sleeps; a cancelled call leaves a file named ``mark`` in ERA_MARKS."""
    try:
        await asyncio.sleep(seconds)
    except asyncio.CancelledError:
        if mark:
            (MARKS / mark).write_text("cancelled")
        raise
    return "rested"


@mcp.tool
async def trigger(uri: str = "data://config", ctx: Context | None = None) -> str:
    """Changes the tool list and updates a resource (listeners hear both)."""
    assert ctx is not None
    await ctx.send_tool_list_changed()
    await ctx.send_resource_updated(uri)
    return "triggered"


@mcp.tool
def region(region: Annotated[str, Field(json_schema_extra={"x-mcp-header": "Region"})], n: int = 0) -> str:
    """A parameter mirrored into Mcp-Param-Region."""
    return f"{region}/{n}"


@mcp.tool(task=True)
async def crunch(seconds: float) -> dict[str, float]:
    """Long enough to become a task."""
    await asyncio.sleep(seconds)
    return {"slept": seconds}


@mcp.tool(task=True)
async def report(steps: int, ctx: Context) -> str:
    """A task that reports progress (its status message) step by step."""
    for i in range(steps):
        await asyncio.sleep(0.2)
        await ctx.report_progress(i + 1, steps, f"step {i + 1}")
    return f"{steps} steps reported"


@mcp.tool(task=True)
async def approve(item: str, ctx: Context) -> str:
    """A task that waits for the user's answer (input_required until tasks/update)."""
    answer = await ctx.elicit(f"Approve {item}?", bool)
    return f"{item}: {answer.action} {getattr(answer, 'data', None)}"


@mcp.resource("data://config", mime_type="application/json", cache_ttl=5, cache_scope="private")
def config() -> dict[str, str]:
    return {"mode": "modern"}


@mcp.resource("users://{user_id}/profile")
def profile(user_id: int) -> dict[str, int]:
    return {"id": user_id}


@mcp.prompt
async def briefing(ctx: Context) -> str:
    """A prompt that asks the user for a topic first."""
    topic = await ctx.elicit("Which topic?", str)
    return f"Brief me on {topic.data}" if topic.action == "accept" else "No topic"


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "http":
        mcp.run(transport="http", host="127.0.0.1", port=int(sys.argv[2]))
    else:
        mcp.run()
