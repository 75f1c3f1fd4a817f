"""``FastMCP(strict_input_validation=True)`` against FastMCP 4.2.3 on one file (tests/servers/strict_inputs.py),
over stdio with the official client: JSON spellings the schema asks for (dates, enum values, ints for a float)
are taken, lax coercions (``"10"`` for an ``int``, ``"true"`` for a ``bool``, strings in a list of ints or in
a model) are refused with the same errors; served lax, the same calls are coerced as FastMCP 4 coerces them."""

from __future__ import annotations

import os
import sys
from typing import Any

import pytest
from conftest import HERE
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

SERVER = HERE / "servers" / "strict_inputs.py"
CALLS: list[tuple[str, dict[str, Any]]] = [
    ("add", {"a": 10, "b": 2}),
    ("add", {"a": "10", "b": 2}),
    ("add", {"a": 1.0, "b": 2}),
    ("ratio", {"x": 1}),
    ("ratio", {"x": "1.5", "flag": "true"}),
    ("when", {"day": "2024-01-02", "color": "red"}),
    ("when", {"day": "2024-01-02", "color": "green"}),
    ("total", {"xs": [1, 2, 3], "tags": {"a": "b"}}),
    ("total", {"xs": [1, "2"]}),
    ("place", {"order": {"sku": "A-1", "quantity": 3, "due": "2024-05-06"}}),
    ("place", {"order": {"sku": "A-1", "quantity": "3"}}),
]


async def walk(impl: str, strict: bool) -> list[Any]:
    env = {**os.environ, "MW_IMPL": impl, "STRICT": "1" if strict else "0"}
    params = StdioServerParameters(command=sys.executable, args=[str(SERVER)], env=env)
    seen: list[Any] = []
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        for name, args in CALLS:
            result = await session.call_tool(name, args)
            seen.append((name, result.is_error, [c.text for c in result.content]))
    return seen


@pytest.mark.anyio
@pytest.mark.parametrize("strict", [True, False], ids=["strict", "lax"])
async def test_strict_input_validation_as_in_fastmcp(strict: bool) -> None:
    ours, theirs = await walk("fastmcp_rs", strict), await walk("fastmcp", strict)
    assert ours == theirs
    refused = [name for name, is_error, _ in ours if is_error]
    if strict:
        assert refused == ["add", "add", "ratio", "when", "total", "place"]
        assert "Input should be a valid integer" in ours[1][2][0]
    else:
        assert refused == ["when"]  # only the unknown enum value
        assert ours[1][2] == ["12"]
