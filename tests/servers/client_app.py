"""The server `fastmcp_rs.Client` drives over stdio and HTTP in tests/test_client.py, written the FastMCP way.

`python client_app.py [stdio|http] [port] [--sse]` (`--sse`: the legacy SSE transport on `/sse`).
"""

from __future__ import annotations

import asyncio
import sys
from datetime import date

from fastmcp_rs import Context, FastMCP
from fastmcp_rs.exceptions import ToolError
from pydantic import BaseModel

mcp = FastMCP("client-app", instructions="Served to fastmcp_rs.Client over real transports.", version="3.1.0")


class Person(BaseModel):
    name: str
    age: int


class Booking(BaseModel):
    guest: Person
    nights: int
    arrival: date


@mcp.tool
def book(guest: Person, nights: int, arrival: date) -> Booking:
    """Books a room."""
    if nights < 1:
        raise ToolError("at least one night")
    return Booking(guest=guest, nights=nights, arrival=arrival)


@mcp.tool
def divide(a: float, b: float) -> float:
    return a / b


@mcp.tool
async def work(steps: int, ctx: Context) -> str:
    for step in range(1, steps + 1):
        await ctx.report_progress(step, steps, f"step {step}")
        await ctx.info(f"did step {step}", logger_name="worker")
    return f"{steps} steps"


@mcp.tool
async def nap(seconds: float) -> str:
    await asyncio.sleep(seconds)
    return "rested"


@mcp.tool
async def ask_person(ctx: Context) -> str:
    answer = await ctx.elicit("Who are you?", Person)
    if answer.action == "accept":
        return f"{answer.data.name} is {answer.data.age}"
    return answer.action


@mcp.tool
async def haiku(topic: str, ctx: Context) -> str:
    reply = await ctx.sample(f"Write a haiku about {topic}", system_prompt="Be brief")
    return reply.text


@mcp.tool
async def roots(ctx: Context) -> list[str]:
    return [str(root.uri) for root in await ctx.list_roots()]


@mcp.resource("data://motd")
def motd() -> str:
    return "hello from client-app"


@mcp.prompt
def greet(name: str, times: int = 1) -> str:
    return " ".join([f"Hello {name}!"] * times)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in ("http", "sse"):
        port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
        mcp.run(transport="sse" if "--sse" in sys.argv else "http", host="127.0.0.1", port=port)
    else:
        mcp.run()
