"""``ResponseCachingMiddleware`` (issue 12, section 2): the same server file (tests/servers/caching.py) under
FastMCP 4.2.3 and fastmcp-rs, driven by the official client. What comes from the cache (the tools' run
counts), what is never cached (errors, excluded tools, items over ``max_item_size``), the listing kept past
a change, the statistics, and the partition per token over HTTP must be the same in both."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import httpx
import pytest
from conftest import HERE
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from test_auth import free_port, wait_listening

SERVER = HERE / "servers" / "caching.py"
IMPLS = ("fastmcp", "fastmcp_rs")


async def walk(session: ClientSession) -> list[Any]:
    seen: list[Any] = []

    async def call(name: str, args: dict[str, Any]) -> None:
        try:
            r = await session.call_tool(name, args)
            seen.append((name, r.is_error, [c.text for c in r.content], r.structured_content))
        except MCPError as e:
            seen.append((name, "error", e.error.code, e.error.message))

    seen.append(sorted(t.name for t in (await session.list_tools()).tools))
    for _ in range(2):
        await call("price", {"name": "apple", "quantity": 2})
        await call("price", {"quantity": 2, "name": "apple"})  # the same arguments, another order
        await call("price", {"name": "pear"})
        await call("price", {"name": "plum"})  # an error result: never cached
        await call("uncached", {})
        await call("huge", {})
        seen.append([c.text for c in (await session.read_resource("data://items")).contents])
        blob = (await session.read_resource("data://blob")).contents[0]
        seen.append((blob.mime_type, blob.blob))
        seen.append([m.content.text for m in (await session.get_prompt("describe", {"name": "pear"})).messages])
    await call("grow", {})
    seen.append(sorted(t.name for t in (await session.list_tools()).tools))
    await call("stats", {})
    return seen


async def over_stdio(impl: str) -> list[Any]:
    params = StdioServerParameters(command=sys.executable, args=[str(SERVER)], env={**os.environ, "MW_IMPL": impl})
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        return await walk(session)


async def over_http(impl: str) -> dict[str, list[Any]]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(SERVER), "http", str(port)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "MW_IMPL": impl},
    )
    seen = {}
    try:
        wait_listening(port, proc, impl)
        for who in ("alice", "bob"):
            async with httpx.AsyncClient(timeout=20, headers={"authorization": f"Bearer {who}-token"}) as http:
                async with streamable_http_client(f"http://127.0.0.1:{port}/mcp", http_client=http) as (r, w, *_):
                    async with ClientSession(r, w) as session:
                        await session.initialize()
                        seen[who] = await walk(session)
        return seen
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.anyio
async def test_response_caching_over_stdio_as_in_fastmcp() -> None:
    seen = {impl: await over_stdio(impl) for impl in IMPLS}
    assert seen["fastmcp_rs"] == seen["fastmcp"]
    ours = seen["fastmcp_rs"]
    stats = ours[-1][3]
    # price ran once per distinct argument set plus once per error; the excluded and the too-large ones each time
    assert stats["ran"] == {"price": 4, "uncached": 2, "huge": 2, "items": 1, "blob": 1, "describe": 1}
    assert "added_later" not in ours[-2]  # the listing is kept for its TTL
    assert ours[-2] == ours[0]


@pytest.mark.anyio
async def test_response_caching_partitions_per_token_as_in_fastmcp() -> None:
    seen = {impl: await over_http(impl) for impl in IMPLS}
    assert seen["fastmcp_rs"] == seen["fastmcp"]
    alice, bob = seen["fastmcp_rs"]["alice"], seen["fastmcp_rs"]["bob"]
    # bob's first calls run again: alice's cached answers are not his
    assert bob[-1][3]["ran"]["price"] == 8
    assert alice[-1][3]["ran"]["price"] == 4
