"""Code mode (issue 13): ``CodeMode()`` in front of FastMCP 4's own code_mode example server (the drop-in corpus
file, unchanged), driven by the official client over stdio with FastMCP 4.2.3 and with fastmcp-rs serving it:
searches, schemas, and Python run in the Monty sandbox that chains tool calls, with failures inside the code
(wrong arguments, an unknown tool, a sandbox error). Both must answer the same."""

from __future__ import annotations

import os
import sys
from typing import Any

import pytest
from conftest import HERE
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

sys.path.insert(0, str(HERE / "dropin"))
from test_dropin_corpus import CLI, REF_SERVE, differences, report, scrub

pytest.importorskip("pydantic_monty")
pytest.importorskip("fastmcp", reason="FastMCP 4.2.3 is the reference (scripts/test.sh installs it)")

SERVER = HERE / "dropin" / "corpus" / "fastmcp" / "code_mode" / "server.py"

CALLS: list[tuple[str, dict[str, Any]]] = [
    ("search", {"query": "add two numbers"}),
    ("search", {"query": "text", "detail": "detailed", "limit": 2}),
    ("search", {"query": "file", "detail": "full"}),
    ("get_schema", {"tools": ["add", "fibonacci", "nope"]}),
    ("get_schema", {"tools": ["word_count"], "detail": "full"}),
    (
        "execute",
        {
            "code": (
                "total = await call_tool('add', {'a': 2, 'b': 3})\n"
                "doubled = await call_tool('multiply', {'x': total['result'], 'y': 2})\n"
                "fib = await call_tool('fibonacci', {'n': 6})\n"
                "loud = await call_tool('to_uppercase', {'text': 'code mode'})\n"
                "{'total': total, 'doubled': doubled, 'fib': fib, 'loud': loud}"
            )
        },
    ),
    ("execute", {"code": "await call_tool('add', {'a': 'two', 'b': 3})"}),
    ("execute", {"code": "await call_tool('missing_tool', {})"}),
    ("execute", {"code": "1 / 0"}),
    ("execute", {"code": "def f(:\n  pass"}),
    ("add", {"a": 1, "b": 2}),
]


async def _answers(command: list[str]) -> list[Any]:
    params = StdioServerParameters(
        command=command[0], args=command[1:], env={**os.environ, "FASTMCP_LOG_LEVEL": "ERROR"}
    )
    found = []
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        found.append([t.name for t in (await session.list_tools()).tools])
        for name, arguments in CALLS:
            result = await session.call_tool(name, arguments)
            found.append(scrub(result.model_dump(mode="json", by_alias=True, exclude_none=True)))
    return found


@pytest.mark.anyio
async def test_code_mode_answers_as_fastmcp4() -> None:
    reference = await _answers([sys.executable, str(REF_SERVE), str(SERVER)])
    ours = await _answers([*CLI, "run", str(SERVER)])
    assert ours[0] == ["search", "get_schema", "execute"]
    for (name, arguments), theirs, mine in zip([("tools/list", {}), *CALLS], reference, ours, strict=True):
        assert mine == theirs, f"{name}({arguments}):\n{report(differences(theirs, mine))}"
    chained = ours[6]["structuredContent"]
    assert chained == {
        "total": {"result": 5},
        "doubled": {"result": 10.0},
        "fib": {"result": [0, 1, 1, 2, 3, 5]},
        "loud": {"result": "CODE MODE"},
    }
    assert "Valid parameters for add (* = required): a*, b*" in ours[7]["content"][0]["text"]
