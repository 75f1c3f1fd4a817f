"""A server's components called from Python, ``await mcp.call_tool(name, args)``, ``mcp.read_resource(uri)``
and ``mcp.render_prompt(name, args)``, on one file (tests/servers/direct_calls.py) built by FastMCP 4.2.3 and
by fastmcp-rs: the results, the exceptions (``NotFoundError``, ``ValidationError``, ``ToolError``) and their
messages, and that the server's middleware ran, must be the same. Then a tool that calls another through
``mcp.call_tool`` while the server is serving over stdio."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import sys
from typing import Any

import pytest
from conftest import HERE
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

SERVER = HERE / "servers" / "direct_calls.py"


def load(impl: str) -> Any:
    os.environ["MW_IMPL"] = impl
    try:
        spec = importlib.util.spec_from_file_location(f"direct_calls_{impl}", SERVER)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    finally:
        os.environ.pop("MW_IMPL", None)
    return module


def content_text(result: Any) -> list[str]:
    return [getattr(c, "text", None) or getattr(c, "content", None) for c in result]


async def walk(impl: str) -> list[Any]:
    module = load(impl)
    mcp = module.mcp
    seen: list[Any] = []
    result = await mcp.call_tool("add", {"a": 1, "b": 2})
    seen.append(("add", content_text(result.content), result.structured_content))
    result = await mcp.call_tool("profile", {"name": "Ada"})
    seen.append(("profile", content_text(result.content), result.structured_content))
    seen.append(("who", content_text((await mcp.call_tool("who", {})).content)))
    for name, args in [("boom", {}), ("refuse", {}), ("nope", {}), ("add", {"a": "x"})]:
        try:
            await mcp.call_tool(name, args)
            seen.append((name, "no error"))
        except Exception as exc:
            seen.append((name, type(exc).__name__, str(exc).split("\n")[0]))
    for uri in ("data://config", "data://k1/value"):
        read = await mcp.read_resource(uri)
        seen.append((uri, [(c.content, c.mime_type) for c in read.contents]))
    try:
        await mcp.read_resource("data://none")
    except Exception as exc:
        seen.append(("data://none", type(exc).__name__, str(exc)))
    rendered = await mcp.render_prompt("brief", {"topic": "rust"})
    seen.append(("brief", [(m.role, m.content.text) for m in rendered.messages]))
    try:
        await mcp.render_prompt("nope", {})
    except Exception as exc:
        seen.append(("prompt nope", type(exc).__name__, str(exc)))
    seen.append(("middleware saw", list(module.SEEN)))
    return seen


def test_direct_calls_as_in_fastmcp() -> None:
    theirs = asyncio.run(walk("fastmcp"))
    ours = asyncio.run(walk("fastmcp_rs"))
    assert ours == theirs
    assert ours[0] == ("add", ["3"], {"result": 3})
    assert ("boom", "ToolError", "Error calling tool 'boom': bad") in ours
    assert ("nope", "NotFoundError", "Unknown tool: 'nope'") in ours
    assert ours[-1][1][:3] == ["add", "profile", "who"]


@pytest.mark.anyio
async def test_a_tool_calls_another_through_the_server_while_serving() -> None:
    params = StdioServerParameters(command=sys.executable, args=[str(SERVER)], env=dict(os.environ))
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        relayed = await session.call_tool("relay", {"a": 41})
        assert [c.text for c in relayed.content] == ["relayed 42"]
        reads = await session.call_tool("relay_reads", {})
        assert reads.structured_content == {"result": ['{"key": "k2"}', "Brief me on go"]}
        # In place, the inner call skips the middleware (FastMCP 4 runs it again: README, "Differences").
        seen = await session.call_tool("seen", {})
        assert seen.structured_content == {"result": ["relay", "relay_reads", "seen"]}
