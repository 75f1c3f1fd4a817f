"""ASGI apps (issue 9, §6 and §7): ``mcp.http_app()`` mounted in FastAPI behind a Starlette middleware, the SDK
v1 spelling ``streamable_http_app()`` + ``add_middleware``, and ``sse_app()``, served by uvicorn, hypercorn and granian;
the same FastAPI app served natively by fastmcp-rs (MCP path answered by the core, every other route by the
app); and the native legacy SSE transport. Driven by the official Python client over real HTTP."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import stop

pytest.importorskip("fastapi")
mcp = pytest.importorskip("mcp")
httpx2 = pytest.importorskip("httpx2")
from mcp import Client, ClientSession  # noqa: E402
from mcp.client.sse import sse_client  # noqa: E402
from mcp.client.streamable_http import streamable_http_client  # noqa: E402

HERE = Path(__file__).parent
AUTH = {"Authorization": "Bearer dev-token"}
pytestmark = pytest.mark.anyio


@dataclass
class Served:
    base: str
    proc: subprocess.Popen[bytes]
    lines: list[str]


def _serve(command: list[str], pattern: str) -> Served:
    proc = subprocess.Popen(
        command,
        cwd=HERE,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONPATH": str(HERE)},
    )
    lines: list[str] = []
    found: list[str] = []
    ready = threading.Event()

    def pump() -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = raw.decode(errors="replace")
            lines.append(line)
            m = re.search(pattern, line)
            if m and not found:
                found.append(m.group(1))
                ready.set()
        ready.set()

    threading.Thread(target=pump, daemon=True).start()
    if not ready.wait(30) or not found:
        proc.kill()
        raise RuntimeError("server did not start:\n" + "".join(lines))
    base = found[0].rstrip("/")
    # Some servers log their address before their worker accepts: wait until any HTTP answer comes back.
    deadline = time.monotonic() + 15
    while True:
        try:
            httpx.get(f"{base}/", timeout=2)
            break
        except httpx.TransportError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("server does not answer:\n" + "".join(lines)) from None
            time.sleep(0.05)
    return Served(base=base, proc=proc, lines=lines)


def _uvicorn(target: str) -> Served:
    return _serve(
        [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", "0", "--log-level", "info"],
        r"Uvicorn running on (http://\S+)",
    )


def _hypercorn(target: str) -> Served:
    return _serve(
        [sys.executable, "-m", "hypercorn", target, "--bind", "127.0.0.1:0"],
        r"Running on (http://\S+)",
    )


def _native(target: str) -> Served:
    code = (
        "import importlib, sys; module, attr = sys.argv[1].split(':');"
        " app = getattr(importlib.import_module(module), attr);"
        " importlib.import_module(module).mcp.run(transport='http', host='127.0.0.1', port=0, app=app)"
    )
    return _serve([sys.executable, "-c", code, target], r"serving .* on (http://[^/\s]+)")


def _granian(target: str) -> Served:
    import socket

    with socket.socket() as probe:  # granian logs the port it was given, so give it a free one
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return _serve(
        [sys.executable, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1", "--port", str(port), target],
        r"Listening at: (http://\S+)",
    )


SERVERS = {"uvicorn": _uvicorn, "hypercorn": _hypercorn, "granian": _granian, "native": _native}


@pytest.fixture(scope="module", params=sorted(SERVERS))
def fastapi_app(request: pytest.FixtureRequest) -> Iterator[Served]:
    if request.param in ("hypercorn", "granian"):
        pytest.importorskip(request.param)
    served = SERVERS[request.param]("servers.asgi_app:app")
    yield served
    stop(served.proc)


def _http_client() -> Any:
    return httpx2.AsyncClient(headers=AUTH, timeout=httpx2.Timeout(20, read=20))


async def _exercise(transport: Any) -> None:
    progress: list[float] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append(value)

    async with Client(transport, mode="legacy", read_timeout_seconds=20) as client:
        names = sorted(t.name for t in (await client.list_tools()).tools)
        assert names == ["add", "restock"]
        added = await client.call_tool("add", {"a": 2, "b": 40})
        assert added.structured_content == {"result": 42}
        items = [{"name": "bolt", "qty": 3}, {"name": "nut", "qty": 5}]
        restocked = await client.call_tool("restock", {"items": items}, progress_callback=on_progress)
        assert restocked.structured_content == {"result": [{"name": "bolt", "qty": 6}, {"name": "nut", "qty": 10}]}
        assert progress == [1, 2]
        read = await client.read_resource("config://app")
        assert json.loads(read.contents[0].text) == {"env": "test"}


async def test_fastapi_mount_with_middleware(fastapi_app: Served) -> None:
    url = f"{fastapi_app.base}/analytics/mcp"
    async with httpx.AsyncClient(timeout=10) as http:
        refused = await http.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "ping"})
        assert refused.status_code == 401
        assert refused.json() == {"error": "missing or invalid bearer token"}
        items = await http.get(f"{fastapi_app.base}/api/items")
        assert items.json() == [{"name": "bolt", "qty": 3}]
        health = await http.get(f"{fastapi_app.base}/analytics/health")
        assert (health.status_code, health.text) == (200, "OK")
        missing = await http.get(f"{fastapi_app.base}/nowhere")
        assert missing.status_code == 404
    await _exercise(streamable_http_client(url, http_client=_http_client()))


@pytest.fixture(scope="module")
def sdk_style_app() -> Iterator[Served]:
    served = _uvicorn("servers.asgi_app:sdk_app")
    yield served
    stop(served.proc)


async def test_sdk_style_streamable_http_app(sdk_style_app: Served) -> None:
    async with httpx.AsyncClient(timeout=10) as http:
        assert (await http.post(f"{sdk_style_app.base}/mcp", json={})).status_code == 401
        assert (await http.get(f"{sdk_style_app.base}/health")).text == "OK"
    await _exercise(streamable_http_client(f"{sdk_style_app.base}/mcp", http_client=_http_client()))


@pytest.fixture(scope="module")
def sse_asgi_app() -> Iterator[Served]:
    served = _uvicorn("servers.asgi_app:sse_app")
    yield served
    stop(served.proc)


async def test_sse_app_under_uvicorn(sse_asgi_app: Served) -> None:
    await _exercise(sse_client(f"{sse_asgi_app.base}/sse", headers=AUTH))


@pytest.fixture(scope="module")
def native_sse() -> Iterator[Served]:
    served = _serve(
        [sys.executable, str(HERE / "servers" / "features.py"), "sse", "0"],
        r"serving .* on (http://[^/\s]+)",
    )
    yield served
    assert stop(served.proc) == 0, "".join(served.lines)


async def test_native_legacy_sse(native_sse: Served) -> None:
    async with Client(sse_client(f"{native_sse.base}/sse"), mode="legacy", read_timeout_seconds=20) as client:
        tools = (await client.list_tools()).tools
        assert tools
        async with httpx.AsyncClient(timeout=10) as http:
            unknown = await http.post(f"{native_sse.base}/messages/?session_id=nope", json={})
            assert unknown.status_code == 404
            no_id = await http.post(f"{native_sse.base}/messages/", json={})
            assert no_id.status_code == 400


@pytest.fixture(scope="module")
def native_open_app() -> Iterator[Served]:
    served = _native("servers.asgi_app:open_app")
    yield served
    stop(served.proc)


async def test_native_fastapi_app_answers_mcp_in_the_core(native_open_app: Served) -> None:
    # No middleware stands in front of the MCP endpoint, so the core answers it; the app serves the rest.
    assert not any("through the app" in line for line in native_open_app.lines)
    assert any("/tools/mcp" in line for line in native_open_app.lines)
    async with httpx.AsyncClient(timeout=10) as http:
        assert (await http.get(f"{native_open_app.base}/api/ping")).json() == {"pong": "yes"}
        assert (await http.get(f"{native_open_app.base}/tools/health")).text == "OK"
        # A raw POST without the Accept header the transport requires: the core's own 406, not the app's.
        bad = await http.post(f"{native_open_app.base}/tools/mcp", json={}, headers={"accept": "text/html"})
        assert bad.status_code == 406
    async with Client(f"{native_open_app.base}/tools/mcp", mode="legacy", read_timeout_seconds=20) as client:
        added = await client.call_tool("add", {"a": 1, "b": 2})
        assert added.structured_content == {"result": 3}


async def test_health_readiness_and_metrics_under_an_asgi_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """`http_app()` under uvicorn answers the probes and the Prometheus metrics as the native server does."""
    from prometheus_client.openmetrics.parser import text_string_to_metric_families

    monkeypatch.setenv("FASTMCP_METRICS_PATH", "/metrics")
    served = _uvicorn("servers.asgi_app:open_mcp_app")
    try:
        base = served.base
        async with httpx.AsyncClient(timeout=10) as http:
            ready = (await http.get(f"{base}/readyz")).json()
            assert ((await http.get(f"{base}/healthz")).status_code, ready) == (200, {"status": "ready"})
        async with streamable_http_client(f"{base}/mcp", http_client=_http_client()) as (read, write, *_):
            async with ClientSession(read, write) as session:
                await session.initialize()
                assert (await session.call_tool("add", {"a": 1, "b": 2})).structured_content == {"result": 3}
        async with httpx.AsyncClient(timeout=10) as http:
            r = await http.get(f"{base}/metrics")
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/openmetrics-text")
        families = {f.name: f for f in text_string_to_metric_families(r.text)}
        calls = [s for s in families["mcp_tool_calls"].samples if s.name == "mcp_tool_calls_total"]
        assert [(s.labels, s.value) for s in calls] == [({"tool": "add", "outcome": "ok"}, 1.0)]
    finally:
        stop(served.proc)
