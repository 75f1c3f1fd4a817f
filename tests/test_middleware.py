"""FastMCP 4's Python middleware (issue 12, section 2): the same server file (tests/servers/middlewared.py)
under FastMCP 4.2.3 and under fastmcp-rs, driven by the official Python client over stdio and over Streamable
HTTP, must give the same results, and its middleware must see the same requests, in the same order, with the
same messages and results."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import httpx
import pytest
from conftest import HERE
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from test_auth import free_port, wait_listening

SERVER = HERE / "servers" / "middlewared.py"
IMPLS = ("fastmcp", "fastmcp_rs")


async def _session_walk(session: ClientSession) -> dict[str, Any]:
    await session.initialize()
    seen: dict[str, Any] = {"tools": sorted(t.name for t in (await session.list_tools()).tools)}
    for name, args in [("add", {"a": 2, "b": 3}), ("add", {"a": 100, "b": 5}), ("blocked", {}), ("boom", {})]:
        r = await session.call_tool(name, args)
        seen[f"{name}{args}"] = (r.is_error, r.structured_content, [c.text for c in r.content], r.meta)
    r = await session.call_tool("secret", {})
    seen["secret"] = (r.is_error, r.structured_content)
    r = await session.call_tool("who", {})
    seen["who"] = r.structured_content
    seen["read"] = (await session.read_resource("data://config")).contents[0].text
    seen["prompt"] = (await session.get_prompt("greet", {"name": "Ada"})).messages[0].content.text
    r = await session.call_tool("events", {})
    seen["events"] = json.loads(r.content[0].text)
    return seen


async def over_stdio(impl: str) -> dict[str, Any]:
    params = StdioServerParameters(command=sys.executable, args=[str(SERVER)], env={**os.environ, "MW_IMPL": impl})
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        return await _session_walk(session)


async def over_http(impl: str) -> dict[str, Any]:
    import subprocess

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(SERVER), "http", str(port)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "MW_IMPL": impl},
    )
    try:
        wait_listening(port, proc, impl)
        async with httpx.AsyncClient(timeout=20) as http:
            async with streamable_http_client(f"http://127.0.0.1:{port}/mcp", http_client=http) as (read, write, *_):
                async with ClientSession(read, write) as session:
                    return await _session_walk(session)
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.anyio
@pytest.mark.parametrize("transport", ["stdio", "http"])
async def test_middleware_sees_and_changes_what_it_does_under_fastmcp(transport: str) -> None:
    walk = over_stdio if transport == "stdio" else over_http
    seen = {impl: await walk(impl) for impl in IMPLS}
    assert seen["fastmcp_rs"] == seen["fastmcp"]
    ours = seen["fastmcp_rs"]
    assert "secret" not in ours["tools"] and ours["secret"] == (False, {"result": "hidden but callable"})
    assert ours["add{'a': 2, 'b': 3}"][1] == {"result": 5} and ours["add{'a': 2, 'b': 3}"][3] == {"policy": "checked"}
    assert ours["add{'a': 100, 'b': 5}"][1] == {"result": 2}  # the arguments the middleware put there
    assert ours["blocked{}"][:3] == (True, None, ["blocked by policy"])
    assert ours["boom{}"][:3] == (True, None, ["the tool failed"])
    events = ours["events"]
    assert ["request", "initialize", "client"] in events
    assert ["call", "add", {"a": 100, "b": 5}] in events
    assert ["raised", "ToolError", "blocked by policy"] in events
    assert ["read", "data://config", ["debug=false"]] in events


async def _stateless_walk(impl: str) -> dict[str, Any]:
    import subprocess

    from fastmcp_rs import Client

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(SERVER), "http", str(port)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "MW_IMPL": impl},
    )
    try:
        wait_listening(port, proc, impl)
        async with Client(f"http://127.0.0.1:{port}/mcp", mode="auto") as client:
            seen: dict[str, Any] = {"version": client.protocol_version}
            seen["tools"] = [t.name for t in await client.list_tools()]
            rewritten = await client.call_tool("add", {"a": 100, "b": 5})
            meta = dict(rewritten.meta)
            # A server that sets no version reports the serving package's (an accepted difference).
            meta.get("io.modelcontextprotocol/serverInfo", {}).pop("version", None)
            seen["add"] = (rewritten.structured_content, meta)
            refused = await client.call_tool("blocked", {}, raise_on_error=False)
            seen["blocked"] = (refused.is_error, refused.content[0].text)
            seen["events"] = json.loads((await client.call_tool("events", {})).content[0].text)
        return seen
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.anyio
async def test_middleware_wraps_the_requests_of_the_stateless_era_as_fastmcp_does() -> None:
    seen = {impl: await _stateless_walk(impl) for impl in IMPLS}
    ours = seen["fastmcp_rs"]
    assert ours["version"] == "2026-07-28"
    assert "secret" not in ours["tools"]
    assert ours["add"][0] == {"result": 2} and ours["add"][1]["policy"] == "checked"
    assert ours["blocked"] == (True, "blocked by policy")
    assert ["discover", True] in ours["events"]  # `on_discover` sees server/discover
    assert ["call", "add", {"a": 100, "b": 5}] in ours["events"]
    assert ours == seen["fastmcp"]
