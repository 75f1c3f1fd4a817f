"""Per-session visibility (issue 13): ``ctx.enable_components`` / ``disable_components`` /
``reset_visibility`` on one file (tests/servers/session_visible.py) under FastMCP 4.2.3 and fastmcp-rs, driven
by the official client over stdio and over HTTP with two sessions at once. Every listing, call, read and prompt,
the list-changed notifications each step sends, and the stored rules must be the same; what one session
enables, the other never sees."""

from __future__ import annotations

import os
import sys
from typing import Any

import anyio
import httpx
import pytest
from conftest import HERE, serving_on_a_port
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

SERVER = HERE / "servers" / "session_visible.py"
IMPLS = ("fastmcp", "fastmcp_rs")

# (tool to call, then what to look at): the look-ups run after the call.
STEPS: list[tuple[str | None, tuple[str, ...]]] = [
    (None, ("tools", "prompts", "resources", "call quote", "call users", "read config://admin")),
    ("open_finance", ("tools", "call quote", "call trade")),
    ("open_admin_prompts", ("tools", "prompts", "resources", "get audit", "call users")),
    ("open_admin", ("tools", "resources", "read config://admin", "call users")),
    ("hide_public", ("tools", "call public")),
    ("hide_versioned", ("tools", "call report")),
    ("grow", ("tools", "call purge")),
    ("my_rules", ()),
    ("reset", ("tools", "prompts", "resources", "call quote", "call public", "call report")),
    ("kid_unlock", ("tools", "call quote")),
    ("show_all", ("tools", "prompts", "resources", "call users")),
    ("reset", ("tools",)),
]
ARGS = {"quote": {"symbol": "ACME"}, "trade": {"symbol": "ACME", "quantity": 3}, "public": {"x": 1}}


class Recorder:
    def __init__(self) -> None:
        self.notes: list[str] = []

    async def __call__(self, message: Any) -> None:
        method = getattr(getattr(message, "root", message), "method", None)
        if isinstance(method, str) and method.endswith("list_changed"):
            self.notes.append(method)

    def take(self) -> list[str]:
        taken, self.notes = self.notes, []
        return sorted(taken)


async def look(session: ClientSession, what: str) -> Any:
    if what == "tools":
        return [t.name for t in (await session.list_tools()).tools]
    if what == "prompts":
        return [p.name for p in (await session.list_prompts()).prompts]
    if what == "resources":
        return [str(r.uri) for r in (await session.list_resources()).resources]
    verb, _, target = what.partition(" ")
    if verb == "call":
        r = await session.call_tool(target, ARGS.get(target, {"period": "q1"} if target == "report" else {}))
        return (r.is_error, [c.text for c in r.content])
    if verb == "read":
        try:
            return [c.text for c in (await session.read_resource(target)).contents]
        except Exception as e:  # an unknown resource: the error the client raises
            return f"error: {e}"
    try:
        return [m.content.text for m in (await session.get_prompt(target, {"scope": "db"})).messages]
    except Exception as e:
        return f"error: {e}"


async def step(session: ClientSession, recorder: Recorder, tool: str | None, looks: tuple[str, ...]) -> list[Any]:
    seen: list[Any] = []
    if tool is not None:
        r = await session.call_tool(tool, {})
        seen.append((tool, r.is_error, [c.text for c in r.content]))
        await anyio.sleep(0.05)  # notifications sent during the call arrive before its answer; be lenient
        seen.append(recorder.take())
    for what in looks:
        seen.append((what, await look(session, what)))
    return seen


async def over_stdio(impl: str) -> list[Any]:
    params = StdioServerParameters(command=sys.executable, args=[str(SERVER)], env={**os.environ, "MW_IMPL": impl})
    recorder = Recorder()
    seen: list[Any] = []
    async with (
        stdio_client(params) as (read, write),
        ClientSession(read, write, message_handler=recorder) as session,
    ):
        await session.initialize()
        for tool, looks in STEPS:
            seen.extend(await step(session, recorder, tool, looks))
    return seen


async def over_http(impl: str) -> dict[str, list[Any]]:
    seen: dict[str, list[Any]] = {"a": [], "b": []}
    with serving_on_a_port(SERVER, "http", "{port}", env={"MW_IMPL": impl}) as port:
        url = f"http://127.0.0.1:{port}/mcp"
        ra, rb = Recorder(), Recorder()
        async with (
            httpx.AsyncClient(timeout=20) as http_a,
            httpx.AsyncClient(timeout=20) as http_b,
            streamable_http_client(url, http_client=http_a) as (r1, w1, *_),
            streamable_http_client(url, http_client=http_b) as (r2, w2, *_),
            ClientSession(r1, w1, message_handler=ra) as a,
            ClientSession(r2, w2, message_handler=rb) as b,
        ):
            await a.initialize()
            await b.initialize()
            for tool, looks in STEPS:
                seen["a"].extend(await step(a, ra, tool, looks))
                # b changes nothing: it sees what everyone sees, whatever a enabled
                seen["b"].extend(await step(b, rb, None, ("tools", "prompts", "call quote", "call users")))
    return seen


def notifications(seen: list[Any]) -> dict[str, list[str]]:
    """The notifications each tool call of a walk brought, by tool (the last call of that tool)."""
    return {
        entry[0]: seen[i + 1]
        for i, entry in enumerate(seen)
        if isinstance(entry, tuple) and len(entry) == 3 and isinstance(entry[1], bool)
    }


def named(seen: list[Any], what: str) -> list[Any]:
    return [entry[1] for entry in seen if isinstance(entry, tuple) and entry[0] == what]


@pytest.mark.anyio
async def test_session_visibility_over_stdio_as_in_fastmcp() -> None:
    seen = {impl: await over_stdio(impl) for impl in IMPLS}
    ours = seen["fastmcp_rs"]
    assert ours == seen["fastmcp"]
    tools = named(ours, "tools")
    assert "quote" not in tools[0] and "quote" in tools[1]
    assert "users" in tools[3] and "public" not in tools[4] and "report" not in tools[5] and "purge" in tools[6]
    assert "quote" not in tools[8] and "public" in tools[8] and "quote" in tools[9]
    notes = notifications(ours)
    every = ["notifications/prompts/list_changed", "notifications/resources/list_changed"]
    assert notes["open_finance"] == [*every, "notifications/tools/list_changed"]
    assert notes["open_admin_prompts"] == ["notifications/prompts/list_changed"]


@pytest.mark.anyio
async def test_session_visibility_is_per_session_over_http_as_in_fastmcp() -> None:
    seen = {impl: await over_http(impl) for impl in IMPLS}
    ours = seen["fastmcp_rs"]
    assert ours == seen["fastmcp"]
    # what a enabled, b never saw, and could not call
    b_tools = named(ours["b"], "tools")
    assert all("quote" not in t and "users" not in t for t in b_tools)
    assert all(r[0] is True for r in named(ours["b"], "call quote"))
    assert "quote" in named(ours["a"], "tools")[1]


@pytest.mark.anyio
async def test_a_version_split_is_refused_clearly() -> None:
    """A rule that would show some versions of a component and hide others is not served yet: the call fails
    with an error that names the feature, and the session's view is unchanged."""
    params = StdioServerParameters(
        command=sys.executable, args=[str(SERVER)], env={**os.environ, "MW_IMPL": "fastmcp_rs"}
    )
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        r = await session.call_tool("hide_v2", {})
        assert r.is_error and "version" in r.content[0].text and "not supported" in r.content[0].text
        assert "report" in [t.name for t in (await session.list_tools()).tools]
        r = await session.call_tool("report", {"period": "q1"})
        assert r.content[0].text == "report v2 for q1"


async def modern_walk(server: Any) -> list[Any]:
    """The 2026-07-28 era (the client's default): over stdio the one client is the process; over HTTP an
    unauthenticated request has no client to scope rules to, and the call fails."""
    from mcp import Client

    seen: list[Any] = []
    async with Client(server, read_timeout_seconds=20) as client:
        for tool in ("open_finance", "hide_public", "my_rules", "reset"):
            r = await client.call_tool(tool, {})
            seen.append((tool, r.is_error, [c.text for c in r.content]))
            seen.append([t.name for t in (await client.list_tools()).tools])
        seen.append(client.session.protocol_version if hasattr(client.session, "protocol_version") else None)
    return seen


@pytest.mark.anyio
async def test_session_visibility_in_the_modern_era_as_in_fastmcp() -> None:
    for transport in ("stdio", "http"):
        seen = {}
        for impl in IMPLS:
            env = {**os.environ, "MW_IMPL": impl}
            if transport == "stdio":
                seen[impl] = await modern_walk(
                    StdioServerParameters(command=sys.executable, args=[str(SERVER)], env=env)
                )
                continue
            with serving_on_a_port(SERVER, "http", "{port}", env={"MW_IMPL": impl}) as port:
                seen[impl] = await modern_walk(f"http://127.0.0.1:{port}/mcp")
        assert seen["fastmcp_rs"] == seen["fastmcp"], transport
        ours = seen["fastmcp_rs"]
        if transport == "stdio":
            assert "quote" in ours[1] and "public" not in ours[3] and "quote" not in ours[7]
        else:
            assert ours[0][1] is True and "no client identity" in ours[0][2][0]
