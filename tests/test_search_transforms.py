"""Search transforms (issue 13): ``RegexSearchTransform`` and ``BM25SearchTransform`` on the same catalogue
(tests/servers/searched.py) under FastMCP 4.2.3 and fastmcp-rs, driven by the official client over stdio.
What is listed, what each query finds and in which order (regex matches in listing order up to
``max_results``; BM25 ranked), ``call_tool`` on a hidden tool, a hidden tool called directly, and the
refusals must be the same."""

from __future__ import annotations

import os
import sys
from typing import Any

import pytest
from conftest import HERE
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

SERVER = HERE / "servers" / "searched.py"
IMPLS = ("fastmcp", "fastmcp_rs")
QUERIES = {
    "regex": ["add|mult", "^weather", "EMAIL", "number", "(?=x)", "[unclosed", "x" * 1001, "zzz"],
    "bm25": ["multiply numbers", "weather forecast city", "send an email", "money currency", "the", "zzz"],
}


async def walk(impl: str, kind: str) -> dict[str, Any]:
    env = {**os.environ, "MW_IMPL": impl, "SEARCH_KIND": kind}
    params = StdioServerParameters(command=sys.executable, args=[str(SERVER)], env=env)
    seen: dict[str, Any] = {}
    query = "query" if kind == "bm25" else "pattern"
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        seen["tools"] = [t.model_dump(mode="json", exclude_none=True) for t in (await session.list_tools()).tools]
        for text in QUERIES[kind]:
            r = await session.call_tool("search_tools", {query: text})
            found = (r.structured_content or {}).get("result")
            seen[f"search {text[:20]}"] = (r.is_error, [t["name"] for t in found or []], len(r.content))
        for name, args in [
            ("call_tool", {"name": "add", "arguments": {"a": 2, "b": 3}}),
            ("call_tool", {"name": "weather_forecast", "arguments": {"city": "Oslo"}}),
            ("call_tool", {"name": "nope"}),
            ("call_tool", {"name": "search_tools", "arguments": {}}),
            ("multiply", {"x": 2, "y": 4}),
        ]:
            r = await session.call_tool(name, args)
            seen[f"{name} {args}"] = (r.is_error, [c.text for c in r.content], r.structured_content)
    return seen


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["regex", "bm25"])
async def test_search_transforms_find_what_fastmcp_finds(kind: str) -> None:
    seen = {impl: await walk(impl, kind) for impl in IMPLS}
    ours = seen["fastmcp_rs"]
    listed = [t["name"] for t in ours["tools"]]
    assert listed == (["read_file", "search_tools", "call_tool"] if kind == "bm25" else ["search_tools", "call_tool"])
    assert ours["multiply {'x': 2, 'y': 4}"][2] == {"result": 8.0}  # hidden, still callable
    assert {k: v for k, v in ours.items() if seen["fastmcp"].get(k) != v} == {}
