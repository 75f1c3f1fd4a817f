"""Transforms (issue 13): ``PromptsAsTools`` and ``ResourcesAsTools`` on the same file
(tests/servers/transformed.py) under FastMCP 4.2.3 and fastmcp-rs, driven by the official client over stdio:
the generated tools' listings, their results for prompts with and without arguments, multi-message prompts,
text, JSON, binary and templated resources, and their errors, must be the same."""

from __future__ import annotations

import os
import sys
from typing import Any

import pytest
from conftest import HERE
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

SERVER = HERE / "servers" / "transformed.py"
IMPLS = ("fastmcp", "fastmcp_rs")
CALLS = [
    ("list_prompts", {}),
    ("get_prompt", {"name": "review", "arguments": {"code": "x = 1"}}),
    ("get_prompt", {"name": "review", "arguments": {"code": "x", "language": "rust"}}),
    ("get_prompt", {"name": "dialogue", "arguments": {"topic": "owls"}}),
    ("get_prompt", {"name": "review"}),
    ("get_prompt", {"name": "nope"}),
    ("list_resources", {}),
    ("read_resource", {"uri": "config://app"}),
    ("read_resource", {"uri": "data://logo"}),
    ("read_resource", {"uri": "users://7/profile"}),
    ("read_resource", {"uri": "users://x/profile"}),
    ("read_resource", {"uri": "nope://x"}),
    ("secret", {}),
    ("get_prompt", {"name": "secret_prompt"}),
]


async def walk(impl: str) -> dict[str, Any]:
    params = StdioServerParameters(command=sys.executable, args=[str(SERVER)], env={**os.environ, "MW_IMPL": impl})
    seen: dict[str, Any] = {}
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        tools = (await session.list_tools()).tools
        seen["tools"] = [t.model_dump(mode="json", exclude_none=True) for t in tools]
        for name, args in CALLS:
            r = await session.call_tool(name, args)
            seen[f"{name} {args}"] = (r.is_error, [c.text for c in r.content], r.structured_content)
        seen["prompts"] = [p.name for p in (await session.list_prompts()).prompts]
    return seen


@pytest.mark.anyio
async def test_prompts_and_resources_as_tools_answer_as_in_fastmcp() -> None:
    seen = {impl: await walk(impl) for impl in IMPLS}
    ours = seen["fastmcp_rs"]
    assert [t["name"] for t in ours["tools"]] == [
        "add",
        "later",
        "list_prompts",
        "get_prompt",
        "list_resources",
        "read_resource",
    ]
    assert ours["prompts"] == ["review", "dialogue"]
    assert {k: v for k, v in ours.items() if seen["fastmcp"].get(k) != v} == {}
