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
from mcp.types import PaginatedRequestParams

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


NAMESPACED = HERE / "servers" / "namespaced.py"


async def namespaced_walk(impl: str, twice: bool) -> dict[str, Any]:
    env = {**os.environ, "MW_IMPL": impl, "NAMESPACED": "twice" if twice else ""}
    params = StdioServerParameters(command=sys.executable, args=[str(NAMESPACED)], env=env)
    seen: dict[str, Any] = {}
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        tools = (await session.list_tools()).tools
        seen["tools"] = [t.model_dump(mode="json", exclude_none=True) for t in tools]
        seen["resources"] = [str(r.uri) for r in (await session.list_resources()).resources]
        seen["templates"] = [t.uri_template for t in (await session.list_resource_templates()).resource_templates]
        seen["prompts"] = [p.name for p in (await session.list_prompts()).prompts]
        for tool in tools:
            args = {"a": 1, "b": 2} if tool.name.endswith("add") else {"word": "hi"} if "shout" in tool.name else {}
            r = await session.call_tool(tool.name, args)
            seen[f"call {tool.name}"] = (r.is_error, [c.text for c in r.content])
        for name in ("add", "kid_shout"):
            r = await session.call_tool(name, {"a": 1, "b": 2, "word": "x"})
            seen[f"old name {name}"] = (r.is_error, [c.text for c in r.content])
        for uri in [*seen["resources"], *(t.replace("{uid}", "7") for t in seen["templates"]), "config://app"]:
            try:
                seen[f"read {uri}"] = [c.text for c in (await session.read_resource(uri)).contents]
            except Exception as e:
                seen[f"read {uri}"] = f"error {e}"
        for name in [*seen["prompts"], "greet"]:
            try:
                got = await session.get_prompt(name, {"name": "Ada"})
                seen[f"get {name}"] = [m.content.text for m in got.messages]
            except Exception as e:
                seen[f"get {name}"] = f"error {e}"
    return seen


@pytest.mark.anyio
@pytest.mark.parametrize("twice", [False, True])
async def test_namespace_transform_answers_as_in_fastmcp(twice: bool) -> None:
    """Every component of the server, its mounted child's and one added afterwards, under the prefix (two
    prefixes applied in order); the old names are unknown."""
    seen = {impl: await namespaced_walk(impl, twice) for impl in IMPLS}
    ours = seen["fastmcp_rs"]
    assert {k: v for k, v in ours.items() if seen["fastmcp"].get(k) != v} == {}
    assert set(ours) == set(seen["fastmcp"])
    prefix = "v2_api_" if twice else "api_"
    assert {t["name"] for t in ours["tools"]} == {f"{prefix}add", f"{prefix}kid_shout", f"{prefix}later"}
    assert ours["old name add"][0] is True


CUSTOM = HERE / "servers" / "custom_transforms.py"
CUSTOM_CALLS = [
    ("ADD", {"a": 2, "b": 3}),
    ("FETCH_USER", {"user_id": 7}),
    ("FAIL", {"reason": "no"}),
    ("add", {"a": 1, "b": 1}),
    ("SECRET", {}),
    ("secret", {}),
    ("catalog", {}),
    ("nope", {}),
]


async def custom_walk(impl: str, page_size: str = "") -> dict[str, Any]:
    env = {**os.environ, "MW_IMPL": impl, "PAGE_SIZE": page_size}
    params = StdioServerParameters(command=sys.executable, args=[str(CUSTOM)], env=env)
    seen: dict[str, Any] = {}
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        pages, cursor = [], None
        while True:
            asked = PaginatedRequestParams(cursor=cursor) if cursor else None
            listing = await session.list_tools(params=asked)
            pages.append([t.model_dump(mode="json", exclude_none=True) for t in listing.tools])
            cursor = listing.next_cursor
            if not cursor:
                break
        seen["tool pages"] = pages
        for name, args in CUSTOM_CALLS:
            r = await session.call_tool(name, args)
            seen[f"{name} {args}"] = (r.is_error, [c.text for c in r.content], r.structured_content)
        prompts = (await session.list_prompts()).prompts
        seen["prompts"] = [p.model_dump(mode="json", exclude_none=True) for p in prompts]
        got = await session.get_prompt("greet", {"name": "Ada"})
        seen["greet"] = [m.model_dump(mode="json", exclude_none=True) for m in got.messages]
        seen["resources"] = [str(r.uri) for r in (await session.list_resources()).resources]
        read = await session.read_resource("data://internal")
        seen["internal"] = [c.model_dump(mode="json", exclude_none=True) for c in read.contents]
    return seen


@pytest.mark.anyio
@pytest.mark.parametrize("page_size", ["", "1"])
async def test_transforms_of_your_own_answer_as_in_fastmcp(page_size: str) -> None:
    """``Transform`` and ``CatalogTransform`` subclasses: listings (and their pages) through each transform's
    ``list_*`` in order, lookups through the ``get_*`` chain (a renamed tool is called by its new name only, a
    hidden one is unknown, a tool the transform makes runs with the server's context), the real catalogue read
    from inside a tool, as FastMCP 4.2.3 answers over stdio."""
    theirs = await custom_walk("fastmcp", page_size)
    ours = await custom_walk("fastmcp_rs", page_size)
    assert ours == theirs
    listed = [t["name"] for page in ours["tool pages"] for t in page]
    assert listed == ["ADD", "FAIL", "catalog"]
    assert ours["catalog {}"][2] == {"result": ["ADD", "FETCH_USER", "FAIL"]}
    assert ours["FETCH_USER {'user_id': 7}"][2] == {"id": 7, "name": "user 7"}
    assert ours["add {'a': 1, 'b': 1}"][0] is True
    assert ours["resources"] == ["data://config"]
