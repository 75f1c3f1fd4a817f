"""The upstream server of the proxy tests (tests/test_proxy.py): tools with structured results, errors, log
messages and progress, requests back to the client (sampling, elicitation, roots), a tool that adds a tool,
resources (text, JSON, binary, a template, one that fails) and prompts. Always served by fastmcp-rs; the
proxies in front of it (tests/servers/proxied.py) are FastMCP 4's and fastmcp-rs's."""

from __future__ import annotations

import sys

from fastmcp_rs import Context, FastMCP
from fastmcp_rs.exceptions import ResourceError, ToolError
from pydantic import BaseModel

mcp = FastMCP("upstream", instructions="Ask the upstream.", metrics_path="/metrics")


class Profile(BaseModel):
    uid: int
    name: str
    tags: list[str]


@mcp.tool
def add(a: int, b: int) -> int:
    """Adds two integers."""
    return a + b


@mcp.tool(title="Profile lookup", tags={"people"}, meta={"owner": "crm"}, annotations={"readOnlyHint": True})
def profile(uid: int) -> Profile:
    return Profile(uid=uid, name=f"user-{uid}", tags=["a", "b"])


@mcp.tool
def untyped(x: str):
    return {"echo": x}


@mcp.tool
def fail() -> str:
    raise ToolError("the upstream refused")


@mcp.tool
def boom() -> str:
    raise ValueError("upstream blew up")


@mcp.tool
async def chatty(ctx: Context) -> str:
    await ctx.info("starting", extra={"step": 1})
    await ctx.warning("careful")
    await ctx.report_progress(1, 2, "half")
    await ctx.report_progress(2, 2, "done")
    return "chatted"


@mcp.tool
async def ask(ctx: Context) -> str:
    answer = await ctx.elicit("Your name?", str)
    return f"{answer.action}:{getattr(answer, 'data', None)}"


@mcp.tool
async def think(ctx: Context) -> str:
    reply = await ctx.sample("What is 2+2?", max_tokens=20)
    return f"sampled:{reply.text}"


@mcp.tool
async def where(ctx: Context) -> list[str]:
    return [str(r.uri) for r in await ctx.list_roots()]


@mcp.tool
async def wait_forever(marker: str) -> str:
    """Sleeps until cancelled; writes ``marker`` when the cancellation arrives."""
    import asyncio
    from pathlib import Path

    try:
        await asyncio.sleep(60)
    except asyncio.CancelledError:
        Path(marker).write_text("cancelled")
        raise
    return "finished"


@mcp.tool
def whoami() -> dict:
    """The caller's credentials and tenant, as the headers of the request carried them here."""
    from fastmcp_rs.server.dependencies import get_http_headers

    headers = get_http_headers(include={"authorization"})
    return {"authorization": headers.get("authorization"), "tenant": headers.get("x-tenant")}


@mcp.tool
def grow() -> str:
    @mcp.tool
    def later() -> str:
        return "later tool"

    return "grown"


@mcp.resource("config://app", mime_type="application/json")
def config() -> dict:
    return {"debug": False}


@mcp.resource("text://motd", description="Message of the day")
def motd() -> str:
    return "hello"


@mcp.resource("data://logo", mime_type="image/png")
def logo() -> bytes:
    return b"\x89PNG\r\n"


@mcp.resource("users://{uid}/card")
def card(uid: str) -> str:
    return f"card of {uid}"


@mcp.resource("broken://thing")
def broken() -> str:
    raise ResourceError("upstream resource failed")


@mcp.prompt
def greet(name: str, style: str = "plain") -> str:
    """Greets someone."""
    return f"Hello {name} ({style})"


@mcp.prompt(tags={"review"})
def review(code: str) -> list:
    return [f"Review: {code}", "Be brief."]


if __name__ == "__main__":
    mcp.run(transport="http", host="127.0.0.1", port=int(sys.argv[1]), show_banner=False)
