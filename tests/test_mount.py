"""``mount()`` (issue 13, composition): the same file (tests/servers/mounted.py) under FastMCP 4.2.3 and
fastmcp-rs, driven by the official client over stdio. Parent-side names (namespace, renamed tools, URIs),
listing order and precedence, calls, reads and prompts routed into children two levels deep, the children's
lifespans and middleware, ``ctx`` being the child's inside its tools, and a tool added to a child while the
parent serves must all be the same."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import pytest
from conftest import HERE
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.shared.exceptions import MCPError

SERVER = HERE / "servers" / "mounted.py"
IMPLS = ("fastmcp", "fastmcp_rs")


async def walk(impl: str) -> dict[str, Any]:
    params = StdioServerParameters(command=sys.executable, args=[str(SERVER)], env={**os.environ, "MW_IMPL": impl})
    seen: dict[str, Any] = {}
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        tools = (await session.list_tools()).tools
        seen["tools"] = [(t.name, t.title, t.description) for t in tools]
        seen["resources"] = [(str(r.uri), r.name) for r in (await session.list_resources()).resources]
        seen["templates"] = [t.uri_template for t in (await session.list_resource_templates()).resource_templates]
        seen["prompts"] = [p.name for p in (await session.list_prompts()).prompts]
        for name, args in [
            ("kid_pinger", {}),
            ("kid_add", {"a": 2, "b": 3}),
            ("kid_gk_deep", {"x": 21}),
            ("clash", {}),
            ("kid_clash", {}),
            ("clash_two", {}),
            ("kid_ping", {}),
            ("ping", {}),
            ("kid_add", {"a": "x"}),
        ]:
            r = await session.call_tool(name, args)
            seen[f"call {name} {args}"] = (r.is_error, r.structured_content or [c.text for c in r.content])
        for uri in ("data://kid/config", "data://kid/items/7", "file://kid//etc/motd", "data://config"):
            try:
                seen[f"read {uri}"] = [c.text for c in (await session.read_resource(uri)).contents]
            except MCPError as e:
                seen[f"read {uri}"] = (e.error.code, e.error.message)
        seen["prompt"] = (await session.get_prompt("kid_greet", {"name": "Ada"})).messages[0].content.text
        await session.call_tool("grow", {})
        seen["after grow"] = [t.name for t in (await session.list_tools()).tools]
        r = await session.call_tool("kid_later", {})
        seen["later"] = [c.text for c in r.content]
        seen["events"] = json.loads((await session.call_tool("events", {})).content[0].text)
    return seen


@pytest.mark.anyio
async def test_mounted_servers_are_served_as_fastmcp_serves_them() -> None:
    seen = {impl: await walk(impl) for impl in IMPLS}
    ours = seen["fastmcp_rs"]
    assert ours["call kid_pinger {}"] == (False, {"server": "kid", "lifespan": "kid"})
    assert ours["call kid_gk_deep {'x': 21}"] == (False, {"result": 42})
    assert ours["call clash {}"] == (False, {"result": "parent's"})
    assert ["kid", "call", "ping"] in ours["events"] and ["parent", "call", "kid_pinger"] in ours["events"]
    assert ours["events"][:3] == [["enter", "parent"], ["enter", "kid"], ["enter", "grandkid"]]
    assert "kid_later" in ours["after grow"] and ours["later"] == ["new"]
    assert {k: v for k, v in ours.items() if seen["fastmcp"].get(k) != v} == {}
    assert ours == seen["fastmcp"]


LISTINGS = HERE / "servers" / "mounted_listings.py"


async def listings_walk(impl: str) -> dict[str, Any]:
    params = StdioServerParameters(command=sys.executable, args=[str(LISTINGS)], env={**os.environ, "MW_IMPL": impl})
    seen: dict[str, Any] = {}
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        seen["tools"] = [t.model_dump(mode="json", exclude_none=True) for t in (await session.list_tools()).tools]
        seen["prompts"] = [p.model_dump(mode="json", exclude_none=True) for p in (await session.list_prompts()).prompts]
        for name in ("c_hidden", "c_g_even_two", "c_first"):
            r = await session.call_tool(name, {"x": 3} if name == "c_first" else {})
            seen[name] = (r.is_error, [c.text for c in r.content])
    return seen


@pytest.mark.anyio
async def test_a_childs_listing_middleware_shapes_the_parents_listings() -> None:
    """A mounted child's ``on_list_tools`` / ``on_list_prompts`` (and a grandchild's) decide what the parent
    lists of it, in their order and with their changes, as FastMCP 4.2.3 lists it; calls still reach a tool
    left out of the listing."""
    theirs = await listings_walk("fastmcp")
    ours = await listings_walk("fastmcp_rs")
    assert ours == theirs
    assert [t["name"] for t in ours["tools"]] == ["own", "c_g_odd_one", "c_second", "c_first"]
    assert ours["prompts"][0]["description"] == "curated: Ask about a topic."


TRANSFORMED = HERE / "servers" / "mounted_transforms.py"


async def transformed_walk(impl: str) -> dict[str, Any]:
    params = StdioServerParameters(command=sys.executable, args=[str(TRANSFORMED)], env={**os.environ, "MW_IMPL": impl})
    seen: dict[str, Any] = {}
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        seen["tools"] = [t.model_dump(mode="json", exclude_none=True) for t in (await session.list_tools()).tools]
        seen["prompts"] = [p.model_dump(mode="json", exclude_none=True) for p in (await session.list_prompts()).prompts]
        calls = [("c_zeta", {"x": 4}), ("c_secret", {}), ("c_ghost", {}), ("p_gamma", {}), ("p_ghost", {})]
        calls += [("r_first_letter", {}), ("r_alpha", {}), ("r_made", {"word": "hi"}), ("r_omega", {"n": 1})]
        for name, args in calls:
            r = await session.call_tool(name, args)
            seen[name] = (r.is_error, [c.text for c in r.content])
    return seen


@pytest.mark.anyio
async def test_a_childs_own_listing_transforms_shape_the_parents_listings() -> None:
    """A mounted server's (and a provider's) transform of your own decides what the parent lists of it and
    what its names reach, as FastMCP 4.2.3 does: left out, reordered, changed, a made tool no name resolves
    (listed, answered as unknown), and a renamed and a made tool that its ``get_tool`` resolves (called
    through the parent)."""
    theirs = await transformed_walk("fastmcp")
    ours = await transformed_walk("fastmcp_rs")
    assert ours == theirs
    names = [t["name"] for t in ours["tools"]]
    assert names[0] == "own" and "c_secret" not in names and "c_ghost" in names
    assert ours["c_secret"] == (False, ["still callable by name"])
    assert ours["r_first_letter"] == (False, ["the first letter"]) and ours["r_alpha"][0] is True
    assert ours["r_made"] == (False, ["made: hi"]) and ours["r_omega"] == (False, ["2"])
