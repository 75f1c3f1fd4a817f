"""Per-session visibility (tests/test_session_visibility.py). ``MW_IMPL=fastmcp`` serves it with FastMCP 4.

Tools tagged ``finance`` and ``admin``, a prompt and a resource tagged ``admin``, all hidden from everyone;
tools that change what the calling session sees (by tag, by name, by kind, by version, everything) and one
that puts a new ``admin`` tool on the server while sessions have rules of their own. ``kid`` is mounted
under ``kid``: its ``unlock`` tool sets rules on ``kid``, which (as in FastMCP 4) change nothing the client sees."""

from __future__ import annotations

import os
import sys

if os.environ.get("MW_IMPL") == "fastmcp":
    from fastmcp import Context, FastMCP
    from fastmcp.utilities.versions import VersionSpec
else:
    from fastmcp_rs import Context, FastMCP
    from fastmcp_rs.utilities.versions import VersionSpec

mcp = FastMCP("visible")


@mcp.tool(tags={"finance"})
def quote(symbol: str) -> str:
    return f"{symbol}: 150.25"


@mcp.tool(tags={"finance"})
def trade(symbol: str, quantity: int) -> str:
    return f"bought {quantity} {symbol}"


@mcp.tool(tags={"admin"})
def users() -> list[str]:
    return ["alice", "bob"]


@mcp.tool
def public(x: int) -> int:
    return x + 1


@mcp.tool(version="1.0")
def report(period: str) -> str:
    return f"report v1 for {period}"


@mcp.tool(version="2.0")
def report(period: str) -> str:  # noqa: F811
    return f"report v2 for {period}"


@mcp.prompt(tags={"admin"})
def audit(scope: str) -> str:
    return f"Audit {scope}."


@mcp.resource("config://admin", tags={"admin"})
def admin_config() -> dict:
    return {"root": True}


@mcp.tool
async def open_finance(ctx: Context) -> str:
    await ctx.enable_components(tags={"finance"})
    return "finance on"


@mcp.tool
async def open_admin(ctx: Context) -> str:
    await ctx.enable_components(tags={"admin"})
    return "admin on"


@mcp.tool
async def open_admin_prompts(ctx: Context) -> str:
    await ctx.enable_components(tags={"admin"}, components={"prompt"})
    return "admin prompts on"


@mcp.tool
async def hide_public(ctx: Context) -> str:
    await ctx.disable_components(names={"public"})
    return "public off"


@mcp.tool
async def hide_versioned(ctx: Context) -> str:
    await ctx.disable_components(version=VersionSpec(gte="1.0"))
    return "versioned off"


@mcp.tool
async def hide_v2(ctx: Context) -> str:
    """Splits ``report``'s versions: fastmcp-rs does not serve that yet (NotImplementedError)."""
    await ctx.disable_components(version=VersionSpec(gte="2.0"))
    return "v2 off"


@mcp.tool
async def show_all(ctx: Context) -> str:
    await ctx.enable_components(match_all=True)
    return "all on"


@mcp.tool
async def reset(ctx: Context) -> str:
    await ctx.reset_visibility()
    return "reset"


@mcp.tool
async def my_rules(ctx: Context) -> list[dict]:
    return await ctx._get_visibility_rules()


@mcp.tool
def grow() -> str:
    @mcp.tool(tags={"admin"})
    def purge() -> str:
        return "purged"

    return "grown"


kid = FastMCP("kid")


@kid.tool
async def unlock(ctx: Context) -> str:
    await ctx.enable_components(tags={"finance"})
    return "unlocked"


mcp.mount(kid, namespace="kid")
mcp.disable(tags={"finance", "admin"})


if __name__ == "__main__":
    if sys.argv[1:2] == ["http"]:
        mcp.run(transport="http", host="127.0.0.1", port=int(sys.argv[2]), show_banner=False)
    else:
        mcp.run(show_banner=False)
