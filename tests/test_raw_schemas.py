"""Raw input schemas (``FunctionTool(fn=..., parameters=...)``) the native validator cannot compile — a remote
``$ref``, a regex with look-behind — are listed verbatim and called as FastMCP 4.2.3 calls them (before,
registering one raised ``ValueError``). Both servers are driven in memory by their own ``Client``."""

from __future__ import annotations

import logging
from typing import Any

import pytest

pytest.importorskip("fastmcp")
pytestmark = pytest.mark.anyio

SCHEMAS: dict[str, dict[str, Any]] = {
    "remote_ref": {"type": "object", "properties": {"a": {"$ref": "https://example.com/schemas/a.json"}}},
    "lookbehind": {"type": "object", "properties": {"a": {"type": "string", "pattern": "(?<!x)a\\p{Foo}"}}},
    "compiles": {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]},
}


def build(package: str) -> Any:
    if package == "fastmcp":
        from fastmcp import Client, FastMCP
        from fastmcp.tools import FunctionTool
    else:
        from fastmcp_rs import Client, FastMCP
        from fastmcp_rs.tools import FunctionTool

    def describe(**arguments: Any) -> str:
        return ",".join(f"{k}={v}" for k, v in sorted(arguments.items()))

    mcp = FastMCP("raw")
    for name, schema in SCHEMAS.items():
        mcp.add_tool(FunctionTool(fn=describe, name=name, parameters=schema))
    return mcp, Client


async def answers(package: str) -> dict[str, Any]:
    mcp, client_class = build(package)
    async with client_class(mcp) as client:
        listed = {t.name: t.input_schema for t in await client.list_tools()}
        calls = {}
        for name in SCHEMAS:
            result = await client.call_tool(name, {"a": 7}, raise_on_error=False)
            calls[name] = (result.is_error, [c.text for c in result.content])
    return {"listed": listed, "calls": calls}


async def test_uncompilable_schemas_are_served_like_fastmcp(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="fastmcp_rs"):
        ours = await answers("fastmcp_rs")
    reference = await answers("fastmcp")
    # Served verbatim, as the issue asks; FastMCP 4 drops the remote `$ref` it cannot dereference ({"a": {}}).
    assert ours["listed"] == SCHEMAS
    assert reference["listed"]["remote_ref"]["properties"]["a"] == {}
    assert {k: v for k, v in ours["listed"].items() if k != "remote_ref"} == {
        k: v for k, v in reference["listed"].items() if k != "remote_ref"
    }
    assert ours["calls"] == reference["calls"]
    warned = [r.getMessage() for r in caplog.records if r.name == "fastmcp_rs"]
    assert any(w.startswith('tool "remote_ref": ') for w in warned), warned
    assert any(w.startswith('tool "lookbehind": ') for w in warned), warned
    assert not any('"compiles"' in w for w in warned)
