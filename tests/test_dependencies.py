"""Dependency injection (``Depends``, ``Shared``, ``CallArgument``, ``CurrentContext``, ``CurrentFastMCP``,
``CurrentHeaders``, ``TokenClaim``, ``CurrentAccessToken``, ``Progress``) on one file
(tests/servers/injected.py) served by FastMCP 4.2.3 and by fastmcp-rs, driven by the official client over
stdio and over HTTP with a bearer token. Schemas (injected parameters left out), results, errors, reads,
prompts and the per-call connection's open/close log must be the same."""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from conftest import HERE, serving_on_a_port
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

SERVER = HERE / "servers" / "injected.py"
IMPLS = ("fastmcp", "fastmcp_rs")


class _Upstream(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"path": self.path, "items": [1, 2, 3]}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    """The local HTTP API the shared ``httpx.AsyncClient`` calls."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def texts(result: Any) -> tuple[bool, list[str], Any]:
    return (result.is_error, [c.text for c in result.content], result.structured_content)


async def walk(session: ClientSession) -> list[Any]:
    seen: list[Any] = []
    tools = (await session.list_tools()).tools
    seen.append({t.name: (t.input_schema, t.output_schema, t.description) for t in tools})
    for name, args in [
        ("profile", {"user_id": 1}),
        ("profile", {"user_id": 3}),  # the dependency raises ToolError: the client sees it as it is
        ("profile", {"user_id": 2, "user": {"id": 9, "name": "Eve", "email": "e@x"}}),  # cannot stand in
        ("count_users", {"prefix": "A"}),
        ("fetch", {"path": "/orders?limit=3"}),
        ("fetch", {"path": "/stock"}),  # the same shared client: opened once
        ("who", {}),
        ("steps", {"n": 3}),
        ("misconfigured", {}),
        ("names", {}),
        ("headers_seen", {}),
        ("claims", {}),
        ("events", {}),
    ]:
        seen.append((name, texts(await session.call_tool(name, args))))
    seen.append([t.uri_template for t in (await session.list_resource_templates()).resource_templates])
    seen.append([c.text for c in (await session.read_resource("users://2/email")).contents])
    prompts = (await session.list_prompts()).prompts
    seen.append([(p.name, [(a.name, a.required) for a in p.arguments or ()]) for p in prompts])
    seen.append([m.content.text for m in (await session.get_prompt("greet", {"user_id": "1"})).messages])
    return seen


async def over_stdio(impl: str, upstream: str) -> list[Any]:
    env = {**os.environ, "MW_IMPL": impl, "UPSTREAM": upstream}
    params = StdioServerParameters(command=sys.executable, args=[str(SERVER)], env=env)
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        return await walk(session)


async def over_http(impl: str, upstream: str) -> list[Any]:
    with serving_on_a_port(SERVER, "http", "{port}", env={"MW_IMPL": impl, "UPSTREAM": upstream}) as port:
        headers = {"authorization": "Bearer secret-ada", "x-team": "core"}
        async with (
            httpx.AsyncClient(timeout=20, headers=headers) as http,
            streamable_http_client(f"http://127.0.0.1:{port}/mcp", http_client=http) as (read, write, *_),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            return await walk(session)


def call(seen: list[Any], name: str) -> list[Any]:
    return [entry[1] for entry in seen if isinstance(entry, tuple) and entry[0] == name]


@pytest.mark.anyio
async def test_dependencies_over_stdio_as_in_fastmcp(upstream: str) -> None:
    seen = {impl: await over_stdio(impl, upstream) for impl in IMPLS}
    ours = seen["fastmcp_rs"]
    assert ours == seen["fastmcp"]
    schemas = ours[0]
    assert schemas["profile"][0]["properties"] == {"user_id": {"type": "integer"}}
    assert schemas["count_users"][0]["properties"] == {"prefix": {"type": "string"}}
    assert schemas["steps"][0]["properties"] == {"n": {"type": "integer"}}
    assert schemas["profile"][1]["properties"]["email"] == {"type": "string"}  # the output schema is the model's
    profile = call(ours, "profile")
    assert profile[0][2] == {"id": 1, "name": "Ada", "email": "ada@example.com"}
    assert profile[1][:2] == (True, ["no user 3"])
    assert profile[2][0] is True and "user" in profile[2][1][0]
    assert call(ours, "count_users")[0][2] == {"count": 2, "context": "Context", "main_thread": False}
    fetched = [r[2] for r in call(ours, "fetch")]
    assert [f["clients_opened"] for f in fetched] == [1, 1]
    assert json.loads(fetched[0]["body"]) == {"path": "/orders?limit=3", "items": [1, 2, 3]}
    assert call(ours, "who")[0][1] == ["injected Context"]
    assert call(ours, "steps")[0][1] == ["3/3: step 3"]
    assert call(ours, "misconfigured")[0][1] == [
        "Error calling tool 'misconfigured': Failed to resolve dependency 'key' for misconfigured"
    ]
    assert call(ours, "names")[0][1] == ['["Ada","Alan"]']
    assert call(ours, "headers_seen")[0][2] == {}
    assert call(ours, "claims")[0][0] is True
    log = call(ours, "events")[0][2]["result"]
    assert log == ["open", "close"] * (len(log) // 2) and len(log) >= 8  # every call's connection was closed
    assert ours[-4:] == [
        ["users://{user_id}/email"],
        ["alan@x.org"],
        [("greet", [("user_id", True)])],
        ["Write a greeting for Ada."],
    ]


@pytest.mark.anyio
async def test_dependencies_over_http_with_a_token_as_in_fastmcp(upstream: str) -> None:
    seen = {impl: await over_http(impl, upstream) for impl in IMPLS}
    ours = seen["fastmcp_rs"]
    assert ours == seen["fastmcp"]
    assert call(ours, "headers_seen")[0][2] == {"x-team": "core", "authorization": "Bearer secret-ada"}
    assert call(ours, "claims")[0][1] == ["ada ada-laptop ['read']"]
    assert [r[2]["clients_opened"] for r in call(ours, "fetch")] == [1, 1]


@pytest.mark.anyio
async def test_progress_reaches_a_client_that_asks_for_it(upstream: str) -> None:
    """FastMCP 4 keeps ``Progress`` in memory outside its task workers; fastmcp-rs also sends each increment to
    a client that sent a progress token, with the total and the message set so far."""
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))

    env = {**os.environ, "MW_IMPL": "fastmcp_rs", "UPSTREAM": upstream}
    params = StdioServerParameters(command=sys.executable, args=[str(SERVER)], env=env)
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        result = await session.call_tool("steps", {"n": 3}, progress_callback=on_progress)
        assert [c.text for c in result.content] == ["3/3: step 3"]
    assert seen == [(1.0, 3.0, None), (2.0, 3.0, "step 1"), (3.0, 3.0, "step 2")]
