"""Arguments of pydantic types, validated by fastmcp-rs from the request's JSON text (no Python dicts built
first), against FastMCP 4.2.3, which validates a dict: the same file (tests/servers/model_inputs.py) over stdio
with the official client. Each tool answers with the ``repr`` of what it received, so the types and values
the function sees are compared: models with validators, aliases, sets, decimals, dates, UUIDs, bytes,
tuples, enums, literals, typed dicts, dataclasses, unions; then invalid inputs, whose error texts must match;
then a type that pydantic's JSON mode refuses and its Python mode takes, which must still be taken."""

from __future__ import annotations

import os
import sys
from typing import Any

import pytest
from conftest import HERE
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

SERVER = HERE / "servers" / "model_inputs.py"
ORDER = {"customer": "  Ada ", "quantity": 3, "unit_price": 2.5, "tags": ["rush", "gift", "rush"]}
ADDRESS = {"street": "1 Main St", "city": "Oslo", "postcode": "0150"}
SCALARS = {
    "when": "2024-05-06T07:08:09+02:00",
    "ident": "12345678-1234-5678-1234-567812345678",
    "day": "2024-02-29",
    "gap": 90.5,
    "blob": "aGVsbG8=",
    "pair": [1, "x"],
    "amount": 0.1,
}
CALLS: list[tuple[str, dict[str, Any]]] = [
    ("place", {"orders": [ORDER, {**ORDER, "address": ADDRESS, "skuCode": "A-1"}]}),
    ("place", {"orders": [{"customer": "Bo", "qty": "2", "unit_price": "1.10"}], "window": {"start": 0}}),
    ("place", {"orders": [], "window": {"start": "2024-01-01T00:00:00Z", "end": None}}),
    ("scalars", SCALARS),
    ("scalars", {**SCALARS, "when": 1700000000, "day": "2024-01-02", "gap": "PT1H", "flag": "yes", "ratio": "1e3"}),
    ("scalars", {**SCALARS, "amount": 12345678901234567890, "ratio": 3}),
    ("choose", {"color": "red", "mode": "fast", "count": 4, "weights": {"1": 0.5, "2": 1}}),
    ("choose", {"color": "blue", "mode": "slow", "count": "6", "weights": {}, "maybe": 7, "frozen": [3, 1, 3]}),
    ("choose", {"color": "red", "mode": "fast", "count": 2, "weights": {}, "maybe": "7", "filt": {"colors": ["blue"]}}),
    # Refused: the texts must be FastMCP's.
    ("place", {"orders": [{**ORDER, "quantity": 0}]}),
    ("place", {"orders": [{**ORDER, "address": {**ADDRESS, "postcode": "x"}}]}),
    ("place", {"orders": [{"customer": "Ada"}]}),
    ("place", {"orders": "not a list"}),
    ("place", {}),
    ("scalars", {**SCALARS, "ident": "nope", "pair": [1, 2, 3]}),
    ("choose", {"color": "green", "mode": "medium", "count": 3, "weights": {"x": 1}}),
    ("choose", {"color": "red", "mode": "fast", "count": 2, "weights": {}, "filt": {"since": "yesterday"}}),
    # JSON mode refuses `PyOnly`; Python mode (FastMCP's) takes it.
    ("fallback", {"value": "abc", "n": "2"}),
    ("fallback", {"value": "abc", "n": "two"}),
]


async def walk(impl: str) -> list[Any]:
    env = {**os.environ, "MW_IMPL": impl, "PYTHONHASHSEED": "0"}  # sets print in one order
    params = StdioServerParameters(command=sys.executable, args=[str(SERVER)], env=env)
    seen: list[Any] = []
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        for name, args in CALLS:
            result = await session.call_tool(name, args)
            seen.append((name, result.is_error, [c.text for c in result.content]))
    return seen


@pytest.mark.anyio
async def test_model_arguments_are_what_fastmcp_gives_the_function() -> None:
    ours, theirs = await walk("fastmcp_rs"), await walk("fastmcp")
    for mine, reference in zip(ours, theirs, strict=True):
        assert mine == reference
    refused = [i for i, (_, is_error, _) in enumerate(ours) if is_error]
    assert refused == [9, 10, 11, 12, 13, 14, 15, 16, 18]
    assert "Decimal('0.1')" in ours[3][2][0] and "Decimal('1.10')" in ours[1][2][0]
    assert "customer='Ada'" in ours[0][2][0] and "code='A-1'" in ours[0][2][0]
    assert ours[17][2] == ["('py:abc', 2)"]
    assert "greater than 0" in ours[9][2][0]


@pytest.mark.anyio
async def test_the_json_text_is_what_gets_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    """The model arguments above reach pydantic as JSON bytes (``prepare_json``), and a refusal there falls back
    to ``prepare`` on a dict; plain arguments (an ``int``) take neither."""
    import importlib.util

    from fastmcp_rs import Client
    from fastmcp_rs.tools.function_tool import FunctionTool

    seen: list[tuple[str, Any]] = []
    as_json, as_dict = FunctionTool.prepare_json, FunctionTool.prepare

    def prepare_json(self: FunctionTool, arguments: bytes) -> Any:
        kwargs = as_json(self, arguments)
        seen.append(("json", type(arguments).__name__, kwargs is not None))
        return kwargs

    def prepare(self: FunctionTool, arguments: dict[str, Any]) -> Any:
        seen.append(("dict", type(arguments).__name__))
        return as_dict(self, arguments)

    monkeypatch.setattr(FunctionTool, "prepare_json", prepare_json)
    monkeypatch.setattr(FunctionTool, "prepare", prepare)
    monkeypatch.delenv("MW_IMPL", raising=False)
    spec = importlib.util.spec_from_file_location("model_inputs_in_process", SERVER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)

    @module.mcp.tool
    def double(n: int) -> int:
        return 2 * n

    async with Client(module.mcp) as client:
        placed = await client.call_tool("place", {"orders": [ORDER]})
        assert "customer='Ada'" in placed.content[0].text
        assert seen == [("json", "bytes", True)]
        seen.clear()
        assert (await client.call_tool("fallback", {"value": "abc"})).content[0].text == "('py:abc', 1)"
        assert seen == [("json", "bytes", False), ("dict", "dict")]
        seen.clear()
        assert (await client.call_tool("double", {"n": 4})).structured_content == {"result": 8}
        assert seen == []
