"""The official Python `mcp` client against our server, over real stdio pipes and real HTTP on 127.0.0.1, in
the handshake era (`mode="legacy"`) and in whatever the client negotiates by default (`mode="auto"`: the
2026-07-28 era, which the server offers through `server/discover`)."""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest
from conftest import APP, wait_for

mcp = pytest.importorskip("mcp")
from mcp import Client, StdioServerParameters  # noqa: E402

pytestmark = pytest.mark.anyio

TRANSPORTS = [
    ("stdio", "legacy"),
    ("stdio", "auto"),
    ("http", "legacy"),
    ("http", "auto"),
    ("stateless", "legacy"),
]


@pytest.fixture(params=TRANSPORTS, ids=["-".join(t) for t in TRANSPORTS])
def target(request: pytest.FixtureRequest) -> tuple[str, str, Any]:
    transport, mode = request.param
    if transport == "stdio":
        return transport, mode, StdioServerParameters(command=sys.executable, args=[str(APP)])
    fixture = "http_server" if transport == "http" else "stateless_server"
    return transport, mode, request.getfixturevalue(fixture).url


@asynccontextmanager
async def connect(target: tuple[str, str, Any], **kwargs: Any) -> AsyncIterator[Client]:
    _, mode, server = target
    async with Client(server, mode=mode, read_timeout_seconds=20, **kwargs) as client:
        yield client


async def test_handshake_and_listing(target: tuple[str, str, Any]) -> None:
    async with connect(target) as client:
        assert client.protocol_version == ("2026-07-28" if target[1] == "auto" else "2025-11-25")
        assert client.server_info.name == "test-app"
        assert client.server_info.version == "1.4.0"
        assert client.instructions == "Tools for the integration tests."
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert list(tools)[:3] == ["add", "echo", "deploy_status"]
        status = tools["deploy_status"]
        props = status.input_schema["properties"]
        assert props["service_name"] == {"type": "string", "description": "Lowercase alphanumeric with hyphens"}
        assert props["environment"]["enum"] == ["staging", "production"]
        assert status.input_schema["required"] == ["service_name", "environment"]
        assert status.annotations is not None and status.annotations.read_only_hint is True
        assert status.description == "Get the current deployment status for a service."
        assert tools["add"].output_schema == {
            "properties": {"result": {"type": "integer"}},
            "required": ["result"],
            "type": "object",
            "x-fastmcp-wrap-result": True,
        }
        order_schema = tools["place_order"].input_schema["properties"]["order"]
        assert order_schema["properties"]["quantity"] == {"maximum": 100, "minimum": 1, "type": "integer"}
        assert "chatty" in tools and "ctx" not in tools["chatty"].input_schema["properties"]


async def test_calls_and_results(target: tuple[str, str, Any]) -> None:
    async with connect(target) as client:
        r = await client.call_tool("add", {"a": 2, "b": 3})
        assert not r.is_error and r.structured_content == {"result": 5} and r.content[0].text == "5"
        r = await client.call_tool("add", {"a": "40", "b": 2})  # pydantic's lax coercion, as FastMCP does
        assert r.structured_content == {"result": 42}
        r = await client.call_tool("echo", {"text": "héllo"})
        assert r.content[0].text == "héllo" and r.structured_content == {"result": "héllo"}
        r = await client.call_tool("deploy_status", {"service_name": "api", "environment": "production"})
        assert r.structured_content == {
            "service": "api",
            "environment": "production",
            "healthy": True,
            "verbose": False,
        }
        r = await client.call_tool("place_order", {"order": {"sku": "x-1", "quantity": "3"}})
        assert r.structured_content == {"sku": "x-1", "quantity": 3, "note": None}
        r = await client.call_tool("scale", {"n": 3})
        assert r.structured_content == {"result": [0, 1, 2]} and r.content[0].text == "[0,1,2]"
        r = await client.call_tool("nothing", {})
        assert not r.is_error and r.content == []
        r = await client.call_tool("pixel", {})
        assert r.content[0].type == "image" and r.content[0].mime_type == "image/png"
        r = await client.call_tool("sync_context", {})
        assert r.content[0].text.startswith("sync request ")


async def test_errors(target: tuple[str, str, Any]) -> None:
    async with connect(target) as client:
        r = await client.call_tool("add", {"a": "x", "b": 1})
        assert r.is_error
        assert r.content[0].text.startswith("1 validation error for call[add]\na\n  Input should be a valid integer")
        r = await client.call_tool("scale", {"n": 11})
        assert r.is_error and "less than or equal to 10" in r.content[0].text
        r = await client.call_tool("add", {"a": 1, "b": 2, "c": 3})
        assert r.is_error and "Unexpected keyword argument" in r.content[0].text
        r = await client.call_tool("fail_tool_error", {})
        assert r.is_error and r.content[0].text == "the deploy window is closed"
        r = await client.call_tool("fail_unexpected", {})
        assert r.is_error
        assert r.content[0].text == "Error calling tool 'fail_unexpected': database password is hunter2"
        r = await client.call_tool("too_slow", {})
        assert r.is_error
        assert r.content[0].text == "Error calling tool 'too_slow': Tool 'too_slow' execution timed out after 0.2s"
        r = await client.session.call_tool("no_such_tool", {})
        assert r.is_error and r.content[0].text == "Unknown tool: 'no_such_tool'"


async def test_logging_and_progress(target: tuple[str, str, Any]) -> None:
    logs: list[tuple[str, Any, Any]] = []
    progress: list[tuple[float, float | None, str | None]] = []

    async def on_log(params: Any) -> None:
        logs.append((params.level, params.logger, params.data))

    async def on_progress(p: float, total: float | None, message: str | None) -> None:
        progress.append((p, total, message))

    transport, mode = target[0], target[1]
    # On the 2026 era a request gets log messages only when it asks for them, at the level it names.
    levels = {"log_level": "debug"} if mode == "auto" else {}
    async with connect(target, logging_callback=on_log, **levels) as client:
        r = await client.call_tool("chatty", {"steps": 3}, progress_callback=on_progress)
        assert not r.is_error
        if transport == "stateless":
            # JSON responses carry no notifications; the call still works.
            assert r.content[0].text.endswith("session=False")
            return
        # Every connection has a session id (stdio too, as in FastMCP); only stateless HTTP has none.
        assert r.content[0].text.endswith("session=True")
        assert logs == [
            ("debug", None, {"msg": "debug message", "extra": None}),
            ("info", "app.logger", {"msg": "info message", "extra": None}),
            ("warning", None, {"msg": "warning message", "extra": {"k": 1}}),
        ]
        assert progress == [(1.0, 3.0, "step 1"), (2.0, 3.0, "step 2"), (3.0, 3.0, "step 3")]
        logs.clear()
        if mode == "legacy":
            await client.set_logging_level("warning")
            await client.call_tool("chatty", {"steps": 0})
            assert [entry[0] for entry in logs] == ["warning"]
    if mode == "auto":
        async with connect(target, logging_callback=on_log, log_level="warning") as client:
            await client.call_tool("chatty", {"steps": 0})
        assert [entry[0] for entry in logs] == ["warning"]
        logs.clear()
        async with connect(target, logging_callback=on_log) as client:
            await client.call_tool("chatty", {"steps": 0})
        assert logs == []


@pytest.mark.parametrize("tool", ["sleep_sync", "sleep_async"])
async def test_many_calls_in_flight(target: tuple[str, str, Any], tool: str) -> None:
    async with connect(target) as client:
        await client.list_tools()
        results: list[str] = []

        async def one() -> None:
            r = await client.call_tool(tool, {"seconds": 0.5})
            results.append(r.content[0].text)

        started = time.monotonic()
        async with anyio.create_task_group() as tg:
            for _ in range(20):
                tg.start_soon(one)
        elapsed = time.monotonic() - started
        assert results == ["slept"] * 20
        # Run one after another they would take 10 s.
        assert elapsed < 2.0, f"20 concurrent {tool} calls took {elapsed:.2f}s"


async def test_async_tools_keep_task_semantics(target: tuple[str, str, Any]) -> None:
    """Async tools start eagerly (the first step runs before any Task exists); what they see must not change:
    each call gets its own context, variables set before the first await survive it, and awaits of every
    kind resume the coroutine."""
    async with connect(target) as client:
        for n in (0, 1, 5):
            r = await client.call_tool("many_awaits", {"n": n})
            assert r.content[0].text == f"unset|call-{n}|{sum(range(n))}"


@pytest.mark.parametrize(("tool", "written"), [("wait_forever", "cancelled"), ("stubborn", "cleaned up")])
async def test_cancellation_reaches_the_coroutine(target: tuple[str, str, Any], tool: str, written: str) -> None:
    if target[0] == "stateless":
        pytest.skip("cancellation needs the client's notification to reach the request's session")
    with tempfile.TemporaryDirectory() as tmp:
        marker = Path(tmp) / "cancelled"
        async with connect(target) as client:
            await client.list_tools()
            with anyio.move_on_after(1.0):
                await client.call_tool(tool, {"marker": str(marker)})

            # The tool creates the file and then writes it: wait for the text, not only for the file.
            def marked() -> bool:
                return marker.exists() and marker.read_text() != ""

            assert await anyio.to_thread.run_sync(lambda: wait_for(marked, 5.0)), "the tool was not cancelled"
            assert marker.read_text() == written
            # The connection is still good afterwards.
            r = await client.call_tool("add", {"a": 1, "b": 1})
            assert r.structured_content == {"result": 2}
