"""Tool transformation (issue 13): ``Tool.from_tool`` with ``ArgTransform`` (rename, describe, default,
hide with a value or a factory) and with a ``transform_fn`` using ``forward`` / ``forward_raw``, in one file
(tests/servers/transformed_tools.py) under FastMCP 4.2.3 and fastmcp-rs, driven by the official client: the
listed schemas, the results, and the refusals of unknown or missing arguments must be the same."""

from __future__ import annotations

import os
import sys
from typing import Any

import pytest
from conftest import HERE
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.shared.exceptions import MCPError

SERVER = HERE / "servers" / "transformed_tools.py"
IMPLS = ("fastmcp", "fastmcp_rs")
CALLS = [
    ("find", {"q": "x"}),
    ("find", {"q": "x", "limit": 7}),
    ("find", {"q": "x", "api_key": "mine"}),
    ("find", {}),
    ("find", {"q": "x", "limit": "many"}),
    ("find_fresh", {"query": "a"}),
    ("find_fresh", {"query": "b"}),
    ("find_double", {"q": "y"}),
    ("find_double", {"q": "y", "limit": 5}),
    ("find_raw", {"query": "z"}),
    ("define", {"word": "owl"}),
    ("define", {"word": "owl", "exact": False}),
    ("lookup", {"term": "owl"}),
    ("legacy", {}),
    ("last", {}),
]


async def walk(impl: str) -> dict[str, Any]:
    params = StdioServerParameters(command=sys.executable, args=[str(SERVER)], env={**os.environ, "MW_IMPL": impl})
    seen: dict[str, Any] = {}
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        tools = (await session.list_tools()).tools
        seen["tools"] = [(t.name, t.description, t.input_schema, t.output_schema) for t in tools]
        for name, args in CALLS:
            try:
                r = await session.call_tool(name, args)
                seen[f"{name} {args}"] = (r.is_error, r.structured_content, [c.text for c in r.content][:1])
            except MCPError as e:
                seen[f"{name} {args}"] = ("error", e.error.code)
    return seen


@pytest.mark.anyio
async def test_transformed_tools_answer_as_in_fastmcp() -> None:
    seen = {impl: await walk(impl) for impl in IMPLS}
    ours = seen["fastmcp_rs"]
    assert ours["find {'q': 'x'}"][1] == {"query": "x", "limit": 3, "api_key": "SECRET"}
    # The transformed schema wins over the function's own default: the parent's 10, doubled (as in FastMCP 4).
    assert ours["find_double {'q': 'y'}"][1] == {"query": "y", "limit": 20, "api_key": "H", "wrapped": True}
    names = [t[0] for t in ours["tools"]]
    assert "define" in names and "lookup" not in names and "legacy" not in names
    assert names.index("define") < names.index("last")  # replaced in place
    assert {k: v for k, v in ours.items() if seen["fastmcp"].get(k) != v} == {}
