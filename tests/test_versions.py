"""Versions (issue 13): several versions of a tool, a resource, a template and a prompt in one file
(tests/servers/versioned.py) under FastMCP 4.2.3 and fastmcp-rs, driven by the official client over stdio.
The listings (the highest version, with ``version`` and ``versions`` in ``_meta.fastmcp``; PEP 440 order,
so 1.10 > 1.2), the default and the pinned (``_meta.fastmcp.version``, also spelled ``v1``) calls, reads and
gets, each version's own validation, and unknown versions must be answered alike. So must a registration
mixing versioned and unversioned components of one name, refused with FastMCP's message."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from conftest import HERE
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.shared.exceptions import MCPError

SERVER = HERE / "servers" / "versioned.py"
IMPLS = ("fastmcp", "fastmcp_rs")


def pinned(version: str | None) -> dict[str, Any] | None:
    return None if version is None else {"fastmcp": {"version": version}}


async def walk(impl: str) -> dict[str, Any]:
    params = StdioServerParameters(command=sys.executable, args=[str(SERVER)], env={**os.environ, "MW_IMPL": impl})
    seen: dict[str, Any] = {}
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        tools = (await session.list_tools()).tools
        seen["tools"] = [(t.name, t.description, t.meta, sorted(t.input_schema["properties"])) for t in tools]
        seen["resources"] = [(str(r.uri), r.name, r.meta) for r in (await session.list_resources()).resources]
        templates = (await session.list_resource_templates()).resource_templates
        seen["templates"] = [(t.uri_template, t.meta) for t in templates]
        seen["prompts"] = [
            (p.name, p.meta, [a.name for a in p.arguments]) for p in (await session.list_prompts()).prompts
        ]
        for version, args in [
            (None, {"amount": 5}),
            ("1.0", {"amount": 5}),
            ("v1", {"amount": 5}),
            ("1.2", {"amount": 5}),
            ("1.10", {"amount": 5, "currency": "USD"}),
            ("1.0", {"amount": "x"}),
            ("9.9", {"amount": 5}),
        ]:
            r = await session.call_tool("charge", args, meta=pinned(version))
            seen[f"charge {version} {args}"] = (r.is_error, r.structured_content or [c.text for c in r.content])
        for version in (None, "2", "3"):
            r = await session.call_tool("single", {"x": 1}, meta=pinned(version))
            seen[f"single {version}"] = (r.is_error, r.structured_content or [c.text for c in r.content])
        for uri, version in [
            ("config://app", None),
            ("config://app", "1.0"),
            ("config://app", "7"),
            ("items://a", None),
            ("items://a", "1"),
        ]:
            try:
                seen[f"read {uri} {version}"] = [
                    c.text for c in (await session.read_resource(uri, meta=pinned(version))).contents
                ]
            except MCPError as e:
                seen[f"read {uri} {version}"] = (e.error.code, e.error.message)
        for version in (None, "1.0", "5"):
            try:
                got = await session.get_prompt("summarize", {"text": "t"}, meta=pinned(version))
                seen[f"prompt {version}"] = got.messages[0].content.text
            except MCPError as e:
                seen[f"prompt {version}"] = (e.error.code, e.error.message)
    return seen


@pytest.mark.anyio
async def test_versions_are_listed_and_picked_as_in_fastmcp() -> None:
    seen = {impl: await walk(impl) for impl in IMPLS}
    ours = seen["fastmcp_rs"]
    assert ours["tools"][0][2]["fastmcp"]["versions"] == ["1.10", "1.2", "1.0"]
    assert ours["charge None {'amount': 5}"] == (False, {"v": "1.10", "amount": 5, "currency": "EUR"})
    assert ours["charge 1.2 {'amount': 5}"] == (False, {"v": "1.2", "amount": 5, "server": "versioned"})
    assert ours["charge 9.9 {'amount': 5}"] == (True, ["Unknown tool: 'charge'"])
    assert {k: v for k, v in ours.items() if seen["fastmcp"].get(k) != v} == {}


@pytest.mark.parametrize("impl", IMPLS)
def test_mixing_versioned_and_unversioned_is_refused(impl: str) -> None:
    package = "fastmcp" if impl == "fastmcp" else "fastmcp_rs"
    code = (
        f"from {package} import FastMCP\n"
        "mcp = FastMCP('m')\n"
        "@mcp.tool\n"
        "def f() -> int: return 1\n"
        "try:\n"
        "    mcp.tool(lambda: 2, name='f', version='1.0')\n"
        "except ValueError as e:\n"
        "    print(e)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == (
        "Cannot add versioned tool 'f' (version='1.0'): an unversioned tool with this name already exists. "
        "Either version all components or none."
    ), done.stderr
