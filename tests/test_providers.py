"""Providers (issue 13): a ``LocalProvider`` shared by servers with different ``VersionFilter``s and a
namespace, and a ``FileSystemProvider`` reading a folder of standalone-decorated functions (one file of
which fails to import), in one file (tests/servers/provided.py) under FastMCP 4.2.3 and fastmcp-rs, driven
by the official client over stdio: listings (order, names, versions meta), calls (default and pinned),
reads and prompts must be the same."""

from __future__ import annotations

import os
import sys
from typing import Any

import mcp.types as mt
import pytest
from conftest import HERE
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.shared.exceptions import MCPError

SERVER = HERE / "servers" / "provided.py"
IMPLS = ("fastmcp", "fastmcp_rs")


async def walk(impl: str, which: str) -> dict[str, Any]:
    env = {**os.environ, "MW_IMPL": impl, "PROVIDED": which}
    params = StdioServerParameters(command=sys.executable, args=[str(SERVER)], env=env)
    seen: dict[str, Any] = {}
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        tools = (await session.list_tools()).tools
        seen["tools"] = [(t.name, t.description, t.meta, t.input_schema) for t in tools]
        seen["resources"] = [(str(r.uri), r.name, r.mime_type) for r in (await session.list_resources()).resources]
        seen["templates"] = [
            (t.uri_template, t.description) for t in (await session.list_resource_templates()).resource_templates
        ]
        seen["prompts"] = [(p.name, [a.name for a in p.arguments]) for p in (await session.list_prompts()).prompts]
        for tool in tools:
            if tool.name.endswith("convert"):
                for version in (None, "1.0", "1.5", "2.0"):
                    meta = None if version is None else {"fastmcp": {"version": version}}
                    r = await session.call_tool(tool.name, {"value": "ab", "times": 2}, meta=meta)
                    seen[f"{tool.name} {version}"] = (r.is_error, [c.text for c in r.content])
            elif tool.name in ("ping", "own", "zeta", "alpha-tool"):
                args = {"x": 3} if tool.name == "zeta" else {"word": "hi"} if tool.name == "alpha-tool" else {}
                r = await session.call_tool(tool.name, args)
                seen[tool.name] = (r.is_error, [c.text for c in r.content])
        for uri in ("fs://settings", "fs://users/ada"):
            try:
                seen[uri] = [c.text for c in (await session.read_resource(uri)).contents]
            except MCPError as e:
                seen[uri] = (e.error.code, e.error.message)
    return seen


@pytest.mark.anyio
@pytest.mark.parametrize("which", ["v1", "v2", "fs"])
async def test_providers_serve_what_fastmcp_serves(which: str) -> None:
    seen = {impl: await walk(impl, which) for impl in IMPLS}
    ours = seen["fastmcp_rs"]
    names = [t[0] for t in ours["tools"]]
    if which == "v1":
        assert names == ["own", "convert", "ping"]
        assert ours["tools"][1][2]["fastmcp"]["versions"] == ["1.5", "1.0"]
        assert ours["convert 2.0"][0] is True  # filtered out: unknown here
    if which == "v2":
        assert names == ["api_convert"]
    if which == "fs":
        assert names == ["alpha-tool", "zeta"]
    assert {k: v for k, v in ours.items() if seen["fastmcp"].get(k) != v} == {}


CUSTOM = HERE / "servers" / "custom_provider.py"


async def custom_walk(impl: str, db: str) -> dict[str, Any]:
    env = {**os.environ, "MW_IMPL": impl, "PROVIDER_DB": db}
    params = StdioServerParameters(command=sys.executable, args=[str(CUSTOM)], env=env)
    seen: dict[str, Any] = {}

    async def every_tool(session: ClientSession) -> list[Any]:
        pages, cursor = [], None
        while True:
            page = await session.list_tools(params=mt.PaginatedRequestParams(cursor=cursor) if cursor else None)
            pages.append([(t.name, t.description, t.meta, t.input_schema) for t in page.tools])
            cursor = page.next_cursor
            if cursor is None:
                return pages

    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        seen["pages"] = await every_tool(session)
        for name, args in [
            ("db_to_usd", {"amount": 10}),
            ("db_vat", {"amount": 100}),
            ("db_secret", {"amount": 1}),
            ("new_rule", {"name": "to_chf", "rate": 0.9}),
            ("db_to_chf", {"amount": 10}),
        ]:
            if name == "db_to_chf":
                seen["pages after new_rule"] = await every_tool(session)
            r = await session.call_tool(name, args)
            seen[f"call {name}"] = (r.is_error, [c.text for c in r.content], r.structured_content)
        seen["resources"] = [(str(r.uri), r.name) for r in (await session.list_resources()).resources]
        seen["read"] = [c.text for c in (await session.read_resource("rules://db/banner")).contents]
        seen["prompts"] = [p.name for p in (await session.list_prompts()).prompts]
        got = await session.get_prompt("db_greet", {"name": "Ada"})
        seen["prompt"] = [m.content.text for m in got.messages]
    return seen


@pytest.mark.anyio
async def test_a_provider_of_your_own_is_served_as_fastmcp_serves_it(tmp_path: Any) -> None:
    """A ``Provider`` subclass backed by SQLite: its components listed (paginated, namespaced, filtered by
    the server's tag rule) and used like local ones; a row added while serving is listed and called next."""
    seen = {impl: await custom_walk(impl, str(tmp_path / f"{impl}.db")) for impl in IMPLS}
    ours = seen["fastmcp_rs"]
    assert ours == seen["fastmcp"]
    names = [t[0] for page in ours["pages"] for t in page]
    assert "db_to_usd" in names and "db_secret" not in names and "db_to_chf" not in names
    assert all(len(page) <= 2 for page in ours["pages"]) and len(ours["pages"]) > 1
    assert "db_to_chf" in [t[0] for page in ours["pages after new_rule"] for t in page]
    assert ours["call db_to_chf"][2] == {"value": 9.0, "currency": "CHF"}
    assert ours["call db_secret"][0] is True


AGGREGATED = HERE / "servers" / "aggregated.py"


async def aggregated_walk(impl: str) -> dict[str, Any]:
    params = StdioServerParameters(command=sys.executable, args=[str(AGGREGATED)], env={**os.environ, "MW_IMPL": impl})
    seen: dict[str, Any] = {}
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        tools = (await session.list_tools()).tools
        seen["tools"] = [t.model_dump(mode="json", exclude_none=True) for t in tools]
        for name, args in [
            ("query", {"sql": "select 1"}),
            ("api_fetch", {"path": "/x"}),
            ("kid_ping_child", {}),
            ("own", {"x": 1}),
            ("fetch", {"path": "/x"}),
        ]:
            r = await session.call_tool(name, args)
            seen[name] = (r.is_error, [c.text for c in r.content], r.structured_content)
        seen["resources"] = [str(r.uri) for r in (await session.list_resources()).resources]
        seen["schema"] = [c.text for c in (await session.read_resource("db://schema")).contents]
        seen["prompts"] = [p.name for p in (await session.list_prompts()).prompts]
        got = await session.get_prompt("api_explain", {"topic": "owls"})
        seen["explain"] = [m.content.text for m in got.messages]
    return seen


@pytest.mark.anyio
async def test_aggregate_and_fastmcp_providers_answer_as_in_fastmcp() -> None:
    """``AggregateProvider`` (two ``LocalProvider``s, one namespaced) and ``FastMCPProvider(child)`` added
    with a namespace: listings, calls, reads and prompts, as FastMCP 4.2.3 serves them over stdio."""
    theirs = await aggregated_walk("fastmcp")
    ours = await aggregated_walk("fastmcp_rs")
    assert ours == theirs
    assert [t["name"] for t in ours["tools"]] == ["own", "query", "api_fetch", "kid_ping_child"]
    assert ours["fetch"][0] is True
