"""Application sessions (``fastmcp.server.sessions``): ``session: UserSession`` per principal,
``session_id: SessionId`` with ``get_session``, and ``SessionProvider``'s tools, on one file
(tests/servers/app_sessions.py) under FastMCP 4.2.3 and fastmcp-rs: over HTTP with two bearer tokens (two
principals, whose sessions never meet) and over stdio (no principal). Schemas, results and errors must be the
same."""

from __future__ import annotations

import os
import sys
from typing import Any

import httpx
import pytest
from conftest import HERE, serving_on_a_port
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

SERVER = HERE / "servers" / "app_sessions.py"
IMPLS = ("fastmcp", "fastmcp_rs")


class Walk:
    def __init__(self) -> None:
        self.seen: list[Any] = []
        self.ids: dict[str, str] = {}

    def scrub(self, value: Any) -> Any:
        text = repr(value)
        for real, label in self.ids.items():
            text = text.replace(real, label)
        return text

    async def call(self, who: str, session: ClientSession, tool: str, args: dict[str, Any]) -> Any:
        result = await session.call_tool(tool, args)
        texts = [c.text for c in result.content]
        if tool == "create_session" and not result.is_error:
            self.ids[texts[0]] = f"<session {len(self.ids) + 1}>"
        self.seen.append((who, tool, result.is_error, self.scrub(texts), self.scrub(result.structured_content)))
        return texts[0] if texts else None


async def schemas(session: ClientSession) -> dict[str, Any]:
    return {t.name: (t.input_schema, t.description) for t in (await session.list_tools()).tools}


async def over_http(impl: str) -> list[Any]:
    walk = Walk()
    with serving_on_a_port(SERVER, "http", "{port}", env={"MW_IMPL": impl}) as port:
        url = f"http://127.0.0.1:{port}/mcp"
        async with (
            httpx.AsyncClient(timeout=20, headers={"authorization": "Bearer token-ada"}) as http_a,
            httpx.AsyncClient(timeout=20, headers={"authorization": "Bearer token-alan"}) as http_b,
            streamable_http_client(url, http_client=http_a) as (r1, w1, *_),
            streamable_http_client(url, http_client=http_b) as (r2, w2, *_),
            ClientSession(r1, w1) as ada,
            ClientSession(r2, w2) as alan,
        ):
            await ada.initialize()
            await alan.initialize()
            walk.seen.append(await schemas(ada))
            await walk.call("ada", ada, "remember", {"fact": "likes tea"})
            await walk.call("ada", ada, "remember", {"fact": "works nights"})
            await walk.call("ada", ada, "recall", {})
            await walk.call("alan", alan, "recall", {})  # another principal: another bucket
            await walk.call("ada", ada, "who_keeps", {})
            sid = await walk.call("ada", ada, "create_session", {})
            await walk.call("ada", ada, "cart_add", {"session_id": sid, "item": "pens"})
            await walk.call("ada", ada, "cart_add", {"session_id": sid, "item": "ink"})
            await walk.call("ada", ada, "cart", {"session_id": sid})
            await walk.call("alan", alan, "cart", {"session_id": sid})  # ada's id means nothing to alan
            await walk.call("alan", alan, "cart_add", {"session_id": sid, "item": "theft"})
            await walk.call("ada", ada, "cart", {"session_id": "made-up"})
            await walk.call("ada", ada, "empty_cart", {"session_id": sid})
            await walk.call("ada", ada, "cart", {"session_id": sid})  # cleared, still valid
            await walk.call("alan", alan, "end_session", {"session_id": sid})
            await walk.call("ada", ada, "end_session", {"session_id": sid})
            await walk.call("ada", ada, "cart", {"session_id": sid})  # ended: gone
    return walk.seen


async def over_stdio(impl: str) -> list[Any]:
    walk = Walk()
    params = StdioServerParameters(command=sys.executable, args=[str(SERVER)], env={**os.environ, "MW_IMPL": impl})
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        await walk.call("anon", session, "remember", {"fact": "x"})
        await walk.call("anon", session, "who_keeps", {})
        sid = await walk.call("anon", session, "create_session", {})
        await walk.call("anon", session, "cart_add", {"session_id": sid, "item": "pens"})
        await walk.call("anon", session, "cart", {"session_id": sid})
    return walk.seen


@pytest.mark.anyio
async def test_application_sessions_over_http_as_in_fastmcp() -> None:
    seen = {impl: await over_http(impl) for impl in IMPLS}
    ours = seen["fastmcp_rs"]
    assert ours == seen["fastmcp"]
    tools = ours[0]
    assert "session" not in tools["remember"][0]["properties"]
    assert tools["cart_add"][0]["properties"]["session_id"]["description"].startswith("The shopping session.")
    assert "create a session" in tools["cart"][0]["properties"]["session_id"]["description"]
    calls = {(who, tool): [] for who, tool, *_ in ours[1:]}
    for who, tool, *rest in ours[1:]:
        calls[(who, tool)].append(rest)
    assert calls[("ada", "recall")][0][2] == repr({"result": ["likes tea", "works nights"]})
    assert calls[("alan", "recall")][0][2] == repr({"result": []})
    assert calls[("ada", "cart")][0][2] == repr({"id_matches": True, "items": ["pens", "ink"]})
    assert calls[("alan", "cart")][0][:2] == [True, repr(["Invalid or unknown session."])]
    assert calls[("ada", "cart")][-1][:2] == [True, repr(["Invalid or unknown session."])]


@pytest.mark.anyio
async def test_application_sessions_without_a_principal_as_in_fastmcp() -> None:
    seen = {impl: await over_stdio(impl) for impl in IMPLS}
    ours = seen["fastmcp_rs"]
    assert ours == seen["fastmcp"]
    assert ours[0][2] is True and "requires an authenticated principal" in ours[0][3]
    assert ours[1][3] == repr(["nobody"])
    assert ours[-1][4] == repr({"id_matches": True, "items": ["pens"]})


@pytest.mark.anyio
async def test_application_sessions_keep_state_across_stateless_requests() -> None:
    """The 2026-07-28 era keeps nothing between requests: a ``SessionId`` session does, over HTTP, for
    ``fastmcp_rs.Client`` (and FastMCP 4.2.3's client, which must see the same)."""
    from fastmcp import Client as TheirClient
    from fastmcp_rs import Client

    seen = {}
    with serving_on_a_port(SERVER, "http", "{port}", env={"MW_IMPL": "fastmcp_rs"}) as port:
        for name, client_class in (("ours", Client), ("theirs", TheirClient)):
            async with client_class(f"http://127.0.0.1:{port}/mcp", auth="token-ada") as client:
                assert client.protocol_version == "2026-07-28"
                sid = (await client.call_tool("create_session", {})).data
                await client.call_tool("cart_add", {"session_id": sid, "item": "pens"})
                await client.call_tool("remember", {"fact": f"seen by {name}"})
                seen[name] = (
                    (await client.call_tool("cart", {"session_id": sid})).data,
                    (await client.call_tool("recall", {})).data,
                )
    assert seen["ours"] == ({"id_matches": True, "items": ["pens"]}, ["seen by ours"])
    assert seen["theirs"] == ({"id_matches": True, "items": ["pens"]}, ["seen by ours", "seen by theirs"])


async def stored_walk(impl: str, state_dir: str, sid: str | None) -> tuple[str, list[Any]]:
    env = {**os.environ, "MW_IMPL": impl, "STATE_DIR": state_dir}
    params = StdioServerParameters(command=sys.executable, args=[str(SERVER)], env=env)
    seen: list[Any] = []
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        if sid is None:
            sid = (await session.call_tool("create_session", {})).content[0].text
        for tool, args in [
            ("cart_add", {"session_id": sid, "item": impl}),
            ("cart", {"session_id": sid}),
            ("note", {"text": "first"}),
            ("note", {"text": "second"}),
            ("raw_state", {}),
        ]:
            result = await session.call_tool(tool, args)
            seen.append((tool, result.is_error, result.structured_content))
    return sid, seen


@pytest.mark.anyio
async def test_a_session_state_store_keeps_state_as_fastmcp_does(tmp_path: Any) -> None:
    """``FastMCP(session_state_store=FileTreeStore(...))``: ``ctx.set_state`` and application sessions live
    in the store, in FastMCP 4's format: a session fastmcp-rs made is read and extended by FastMCP 4.2.3
    serving the same store after it, and the other way round."""
    state_dir = str(tmp_path / "state")
    sid, first = await stored_walk("fastmcp_rs", state_dir, None)
    _, second = await stored_walk("fastmcp", state_dir, sid)
    _, third = await stored_walk("fastmcp_rs", state_dir, sid)
    assert first[1] == ("cart", False, {"id_matches": True, "items": ["fastmcp_rs"]})
    assert second[1] == ("cart", False, {"id_matches": True, "items": ["fastmcp_rs", "fastmcp"]})
    assert third[1] == ("cart", False, {"id_matches": True, "items": ["fastmcp_rs", "fastmcp", "fastmcp_rs"]})
    for walk in (first, second, third):
        assert walk[2:4] == [("note", False, {"result": None}), ("note", False, {"result": "first"})]
        assert walk[4] == ("raw_state", False, {"result": {"value": "second"}})
