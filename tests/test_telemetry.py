"""OpenTelemetry (issue 12, section 3): with an SDK configured (tests/servers/traced.py, the SDK's in-memory
exporter), each request is one SERVER span named and attributed as FastMCP 4.2.3 names them (tool calls,
reads and prompts, and `initialize` and the listings), a child of the trace the request carries
(``_meta.traceparent``, or the ``traceparent`` header),
and the parent of the spans the tool's own code makes; a failed tool's span has ``error.type``. Without an
SDK nothing is wrapped."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import httpx
import pytest
from conftest import HERE
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from test_auth import free_port, wait_listening

SERVER = HERE / "servers" / "traced.py"
IMPLS = ("fastmcp", "fastmcp_rs")
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT = "00f067aa0ba902b7"


async def _walk(session: ClientSession) -> list[dict[str, Any]]:
    await session.initialize()
    await session.call_tool("add", {"a": 1, "b": 2}, meta={"traceparent": f"00-{TRACE}-{PARENT}-01"})
    await session.call_tool("slow_add", {"a": 1, "b": 2})
    await session.call_tool("refuse", {})
    await session.read_resource("data://config")
    await session.get_prompt("greet", {"name": "Ada"})
    result = await session.call_tool("spans", {})
    return result.structured_content["result"]


async def over_stdio(impl: str) -> list[dict[str, Any]]:
    env = {**os.environ, "TRACE_IMPL": impl}
    params = StdioServerParameters(command=sys.executable, args=[str(SERVER)], env=env)
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        return await _walk(session)


def server_spans(spans: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Every SERVER span: tool calls, reads and prompts, and the other requests (`initialize`, listings)."""
    return [(s["name"], s["kind"], s["status"], s["attributes"]) for s in spans if s["kind"] == "SERVER"]


@pytest.mark.anyio
async def test_spans_are_those_fastmcp_makes() -> None:
    seen = {impl: await over_stdio(impl) for impl in IMPLS}
    assert server_spans(seen["fastmcp_rs"]) == server_spans(seen["fastmcp"])
    spans = seen["fastmcp_rs"]
    names = [s["name"] for s in spans]
    assert names[:3] == ["initialize", "user.add", "tools/call add"]
    user, server = spans[1], spans[2]
    # The request's trace: the server span continues it, the tool's own span is its child.
    assert server["trace_id"] == TRACE and server["parent"] == PARENT
    assert user["trace_id"] == TRACE and user["parent"] == server["span_id"]
    assert server["attributes"]["gen_ai.tool.name"] == "add" and server["request_id"] is not None
    slow = next(s for s in spans if s["name"] == "user.slow_add")
    slow_server = next(s for s in spans if s["name"] == "tools/call slow_add")
    assert slow["parent"] == slow_server["span_id"]  # in an async tool too
    failed = next(s for s in spans if s["name"] == "tools/call refuse")
    assert failed["status"] == "ERROR" and failed["attributes"]["error.type"] == "tool_error"
    assert "resources/read" in names and "prompts/get greet" in names


@pytest.mark.anyio
async def test_the_trace_of_an_http_request_comes_from_its_headers() -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(SERVER), "http", str(port)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "TRACE_IMPL": "fastmcp_rs"},
    )
    try:
        wait_listening(port, proc, "fastmcp_rs")
        headers = {"traceparent": f"00-{TRACE}-{PARENT}-01"}
        async with httpx.AsyncClient(timeout=20, headers=headers) as http:
            async with streamable_http_client(f"http://127.0.0.1:{port}/mcp", http_client=http) as (read, write, *_):
                async with ClientSession(read, write) as session:
                    await session.initialize()
                    await session.call_tool("add", {"a": 1, "b": 2})
                    spans = (await session.call_tool("spans", {})).structured_content["result"]
        server = next(s for s in spans if s["name"] == "tools/call add")
        assert (server["trace_id"], server["parent"], server["session"]) == (TRACE, PARENT, True)
    finally:
        proc.terminate()
        proc.wait(10)


def test_without_an_sdk_nothing_is_wrapped() -> None:
    code = (
        "from fastmcp_rs import FastMCP\n"
        "mcp = FastMCP('plain')\n"
        "@mcp.tool\n"
        "def add(a: int, b: int) -> int:\n"
        "    return a + b\n"
        "mcp._trace_if_configured()\n"
        "print(mcp._tracing)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stderr
