"""``ResponseCachingMiddleware`` on a small server (tests/test_response_caching.py). ``MW_IMPL=fastmcp`` serves
it with FastMCP 4 itself. Every tool, resource and prompt counts the times it really ran, so a client can tell
a cached answer from a fresh one; ``stats`` returns the middleware's statistics and those counts.
``caching.py http PORT`` serves Streamable HTTP with two static tokens; without arguments, stdio."""

from __future__ import annotations

import os
import sqlite3
import sys
from collections import Counter

if os.environ.get("MW_IMPL") == "fastmcp":
    from fastmcp import FastMCP
    from fastmcp.exceptions import ToolError
    from fastmcp.server.auth.providers.jwt import StaticTokenVerifier
    from fastmcp.server.middleware.caching import CallToolSettings, ListToolsSettings, ResponseCachingMiddleware
else:
    from fastmcp_rs import FastMCP
    from fastmcp_rs.exceptions import ToolError
    from fastmcp_rs.server.auth.providers.jwt import StaticTokenVerifier
    from fastmcp_rs.server.middleware.caching import CallToolSettings, ListToolsSettings, ResponseCachingMiddleware

RAN: Counter[str] = Counter()
DB = sqlite3.connect(":memory:", check_same_thread=False)
DB.execute("create table items (name text primary key, price real)")
DB.executemany("insert into items values (?, ?)", [("apple", 1.5), ("pear", 2.25)])

auth = None
if sys.argv[1:2] == ["http"]:
    auth = StaticTokenVerifier(
        tokens={
            "alice-token": {"client_id": "alice", "scopes": ["read"]},
            "bob-token": {"client_id": "bob", "scopes": ["read"]},
        }
    )
mcp = FastMCP("caching", auth=auth)
cache = ResponseCachingMiddleware(
    list_tools_settings=ListToolsSettings(ttl=60),
    call_tool_settings=CallToolSettings(excluded_tools=["uncached", "stats", "grow"]),
    max_item_size=4096,
)
mcp.add_middleware(cache)


@mcp.tool
def price(name: str, quantity: int = 1) -> dict:
    """A price from sqlite."""
    RAN["price"] += 1
    row = DB.execute("select price from items where name = ?", (name,)).fetchone()
    if row is None:
        raise ToolError(f"no item {name!r}")
    return {"name": name, "total": row[0] * quantity}


@mcp.tool
def uncached() -> int:
    RAN["uncached"] += 1
    return RAN["uncached"]


@mcp.tool
def huge() -> str:
    """Larger than max_item_size: never kept."""
    RAN["huge"] += 1
    return "x" * 10_000


@mcp.tool
def grow() -> str:
    """Adds a tool; the cached listing does not show it until its TTL is over."""
    mcp.tool(lambda: "new", name="added_later")
    return "added"


@mcp.resource("data://items")
def items() -> str:
    RAN["items"] += 1
    return ",".join(row[0] for row in DB.execute("select name from items order by name"))


@mcp.resource("data://blob", mime_type="application/octet-stream")
def blob() -> bytes:
    RAN["blob"] += 1
    return bytes(range(8))


@mcp.prompt
def describe(name: str) -> str:
    RAN["describe"] += 1
    return f"Describe {name}."


@mcp.tool
def stats() -> dict:
    s = cache.statistics()
    out: dict = {"ran": dict(RAN)}
    for method in ("list_tools", "call_tool", "read_resource", "get_prompt"):
        c = getattr(s, method)
        out[method] = None if c is None else [c.get.hit, c.get.miss, c.put.count]
    return out


if __name__ == "__main__":
    if sys.argv[1:2] == ["http"]:
        mcp.run(transport="http", host="127.0.0.1", port=int(sys.argv[2]), show_banner=False)
    else:
        mcp.run(show_banner=False)
