"""Async handlers run inside a real asyncio Task from their first line (issue 9, §1): httpx through sniffio,
asyncio.timeout, TaskGroup, anyio cancel scopes and contextvars, in tools, resources, prompts and completion,
over stdio and HTTP with the official Python client."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import start_http_server, stop

pytest.importorskip("sniffio")
mcp = pytest.importorskip("mcp")
from mcp import Client, StdioServerParameters, types  # noqa: E402

SERVER = Path(__file__).parent / "servers" / "async_tasks.py"
pytestmark = pytest.mark.anyio


class _Upstream(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = f"upstream says hi from {self.path}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def tasks_http() -> Any:
    server = start_http_server(script=SERVER)
    yield server
    assert stop(server.proc) == 0, "".join(server.stderr_lines)


@pytest.fixture(params=["stdio", "http"])
def target(request: pytest.FixtureRequest) -> Any:
    if request.param == "stdio":
        return StdioServerParameters(command=sys.executable, args=[str(SERVER)])
    return request.getfixturevalue("tasks_http").url


def _client(target: Any) -> Client:
    return Client(target, mode="legacy", read_timeout_seconds=20)


async def test_httpx_async_client_in_a_tool(target: Any, upstream: str) -> None:
    async with _client(target) as client:
        result = await client.call_tool("fetch", {"url": f"{upstream}/weather"})
        assert not result.is_error, result.content
        assert result.content[0].text == "upstream says hi from /weather"


async def test_first_line_sees_a_task(target: Any) -> None:
    async with _client(target) as client:
        result = await client.call_tool("task_report", {})
        assert not result.is_error, result.content
        assert result.structured_content == {"task": True, "library": "asyncio"}


async def test_asyncio_timeout_task_group_and_anyio_scope(target: Any) -> None:
    async with _client(target) as client:
        timed = await client.call_tool("with_timeout", {})
        assert timed.content[0].text == "timed out"
        grouped = await client.call_tool("task_group", {"n": 5})
        assert grouped.structured_content == {"result": [0, 1, 4, 9, 16]}
        scoped = await client.call_tool("anyio_scope", {})
        assert scoped.structured_content == {"cancelled_caught": True}


async def test_contextvars_do_not_leak_between_calls(target: Any) -> None:
    async with _client(target) as client:
        for value in ("a", "b", "c"):
            result = await client.call_tool("context_var", {"value": value})
            assert result.structured_content == {"before": None, "after": value}


async def test_resource_prompt_and_completion_run_in_a_task(target: Any) -> None:
    async with _client(target) as client:
        read = await client.read_resource("tasks://report")
        assert json.loads(read.contents[0].text) == {"task": True, "library": "asyncio"}
        prompt = await client.get_prompt("report_prompt")
        assert prompt.messages[0].content.text == str({"task": True, "library": "asyncio"})
        done = await client.complete(
            types.PromptReference(type="ref/prompt", name="report_prompt"), {"name": "x", "value": ""}
        )
        assert done.completion.values == ["task=True", "library=asyncio"]
