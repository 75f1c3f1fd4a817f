"""FastMCP 4's built-in middleware (issue 12, section 2): timing, logging (text and JSON lines), error handling,
retry, response limiting and authorization. The same server file (tests/servers/builtin_middleware.py) runs
under FastMCP 4.2.3 and under fastmcp-rs; the official client's view (results, errors, listings) and the log
records the middleware writes must be the same (durations aside). ``StructuredLoggingMiddleware``'s audit
fields are fastmcp-rs's own, checked on their own."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from typing import Any

import httpx
import pytest
from conftest import HERE
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from test_auth import free_port, wait_listening

SERVER = HERE / "servers" / "builtin_middleware.py"
IMPLS = ("fastmcp", "fastmcp_rs")
CALLS = [
    ("add", {"a": 1, "b": 2}),
    ("bad_value", {}),
    ("said_no", {}),
    ("missing_key", {}),
    ("nope", {}),
    ("flaky", {}),
    ("big", {}),
    ("adm", {}),
    ("length", {"segment": {"start": {"x": 0, "y": 0}, "end": {"x": 3, "y": 4}}}),
    ("exploding", {}),
]


def normalized(records: list[str]) -> list[str]:
    """Durations out."""
    kept = []
    for line in records:
        line = re.sub(r"\d+\.\d+ms", "Nms", line)
        line = re.sub(r"duration_ms(\": |=)[0-9.]+", r"duration_ms\1N", line)
        kept.append(line)
    return kept


async def walk(session: ClientSession) -> dict[str, Any]:
    await session.initialize()
    listed = (await session.list_tools()).tools
    seen: dict[str, Any] = {"tools": {t.name: t.output_schema for t in listed}}
    seen["inputs"] = {t.name: t.input_schema for t in listed}
    for name, args in CALLS:
        try:
            r = await session.call_tool(name, args)
            seen[name] = ("result", r.is_error, [c.text for c in r.content], r.structured_content)
        except MCPError as e:
            seen[name] = ("error", e.error.code, e.error.message)
    for uri in ("res://missing", "res://admin", "res://nosuch"):
        try:
            seen[uri] = (await session.read_resource(uri)).contents[0].text
        except MCPError as e:
            seen[uri] = ("error", e.error.code, e.error.message)
    for prompt in ("p", "nosuch"):
        try:
            seen[f"prompt {prompt}"] = (await session.get_prompt(prompt, {"topic": "x"})).messages[0].content.text
        except MCPError as e:
            seen[f"prompt {prompt}"] = ("error", e.error.code, e.error.message)
    seen["logs"] = (await session.call_tool("logs", {})).structured_content["result"]
    return seen


async def over_stdio(impl: str, kind: str) -> dict[str, Any]:
    env = {**os.environ, "MW_IMPL": impl, "MW_KIND": kind}
    params = StdioServerParameters(command=sys.executable, args=[str(SERVER)], env=env)
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        return await walk(session)


async def over_http(impl: str, kind: str, token: str) -> dict[str, Any]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(SERVER), "http", str(port)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "MW_IMPL": impl, "MW_KIND": kind},
    )
    try:
        wait_listening(port, proc, impl)
        async with httpx.AsyncClient(timeout=20, headers={"authorization": f"Bearer {token}"}) as http:
            async with streamable_http_client(f"http://127.0.0.1:{port}/mcp", http_client=http) as (read, write, *_):
                async with ClientSession(read, write) as session:
                    return await walk(session)
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["timing", "logging", "structured", "errors", "retry", "limit", "inject"])
async def test_builtin_middleware_behaves_and_logs_as_in_fastmcp(kind: str) -> None:
    seen = {impl: await over_stdio(impl, kind) for impl in IMPLS}
    for impl in IMPLS:
        seen[impl]["logs"] = normalized(seen[impl]["logs"])
    assert seen["fastmcp_rs"] == seen["fastmcp"]
    ours = seen["fastmcp_rs"]
    if kind == "errors":
        assert ours["bad_value"] == ("error", -32602, "Invalid params: Error calling tool 'bad_value': bad value")
        assert ours["res://missing"][:2] == ("error", -32002)
        assert any(line.startswith("fastmcp.errors|ERROR|Error in tools/call: ToolError:") for line in ours["logs"])
    if kind == "retry":
        assert ours["flaky"] == ("result", False, ["connected"], {"result": "connected"})
        assert sum("Retrying in" in line for line in ours["logs"]) == 2
    if kind == "limit":
        assert ours["big"][2] == ["xxxxxxxxxx\n\n[Response truncated due to size limit]"]
        assert ours["tools"]["big"] is None and ours["tools"]["add"] is not None
    if kind == "inject":
        assert ours["add"][3] == {"result": 2}  # the injected `add` multiplies
        assert ours["exploding"][:2] == ("result", True)
        assert "$defs" not in ours["inputs"]["route"] and "$defs" not in ours["inputs"]["length"]
        assert ours["tools"]["length"]["properties"]["start"]["properties"]["x"] == {"type": "number"}
    if kind == "timing":
        assert "fastmcp.timing|INFO|Request tools/call completed in Nms" in ours["logs"]
        assert "fastmcp.timing.detailed|INFO|Tool 'add' completed in Nms" in ours["logs"]


@pytest.mark.anyio
@pytest.mark.parametrize("who", ["alice", "bob"])
async def test_auth_middleware_refuses_as_fastmcp_does(who: str) -> None:
    seen = {impl: await over_http(impl, "auth", who) for impl in IMPLS}
    for impl in IMPLS:
        seen[impl]["logs"] = normalized(seen[impl]["logs"])
    assert seen["fastmcp_rs"] == seen["fastmcp"]
    ours = seen["fastmcp_rs"]
    if who == "bob":
        assert "adm" not in ours["tools"]
        assert ours["adm"] == (
            "result",
            True,
            ["Authorization failed for tool 'adm': insufficient scope (required: admin)"],
            None,
        )
        assert ours["res://admin"][0] == "error"
    else:
        assert ours["adm"][2] == ["admin only"]


@pytest.mark.anyio
async def test_structured_logging_writes_the_audit_trail() -> None:
    records = (await over_stdio("fastmcp_rs", "audit"))["logs"]
    entries = [json.loads(r.split("|", 2)[2]) for r in records]
    call = next(e for e in entries if e["event"] == "request_success" and e.get("tool") == "add")
    assert list(call)[:4] == ["event", "method", "source", "duration_ms"]
    assert call["outcome"] == "ok" and call["request_id"] is not None and call["time"].endswith("+00:00")
    failed = next(e for e in entries if e["event"] == "request_error" and e.get("tool") == "bad_value")
    assert failed["outcome"] == "error" and "bad value" in failed["error"]
