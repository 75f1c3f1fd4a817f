"""Shutting down and configuring like a production server (issue 12, section 4): SIGTERM drains (calls in
flight finish, new requests get 503, readiness says so, the lifespan's exit runs, exit code 0), liveness and
readiness paths, and the run's options from FastMCP 4's `FASTMCP_*` environment (and `.env`).

FastMCP 4.2.3 (uvicorn with `timeout_graceful_shutdown=2`, SSE streams cut by sse-starlette) drops a call in
flight at SIGTERM: with this file's server under it (import changed), a 1.5 s call's stream ended 0.5 s after
the signal without a result, and the process died of the signal. These tests hold fastmcp-rs to better."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from conftest import URL_LINE, HttpServer, start_http_server, stop

mcp = pytest.importorskip("mcp")
from mcp import Client  # noqa: E402

PROD = Path(__file__).parent / "servers" / "production.py"
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}
ACCEPT = {"accept": "application/json, text/event-stream", "content-type": "application/json"}


def start_env(env: dict[str, str], cwd: Path | None = None) -> HttpServer:
    """`production.py env`: a bare `mcp.run()` configured by the environment only."""
    proc = subprocess.Popen(
        [sys.executable, str(PROD), "env"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **env},
        cwd=cwd,
    )
    lines: list[str] = []
    found: list[str] = []
    ready = threading.Event()

    def pump() -> None:
        assert proc.stderr is not None
        for raw in proc.stderr:
            lines.append(raw.decode(errors="replace"))
            m = URL_LINE.search(lines[-1])
            if m and not found:
                found.append(m.group(1))
                ready.set()
        ready.set()

    threading.Thread(target=pump, daemon=True).start()
    if not ready.wait(30) or not found:
        proc.kill()
        raise RuntimeError("server did not start:\n" + "".join(lines))
    return HttpServer(url=found[0], proc=proc, stderr_lines=lines)


def base(server: HttpServer) -> str:
    return server.url.split("/", 3)[0] + "//" + server.url.split("/", 3)[2]


async def wait_until_draining(server: HttpServer) -> None:
    async with httpx.AsyncClient(timeout=5) as h:
        with anyio.fail_after(5):
            while (await h.get(base(server) + "/readyz")).status_code != 503:
                await anyio.sleep(0.02)


@pytest.mark.anyio
async def test_sigterm_finishes_calls_in_flight_refuses_new_requests_then_exits_0() -> None:
    server = start_http_server(script=PROD)
    results: dict[str, Any] = {}
    try:
        async with Client(server.url, mode="legacy", read_timeout_seconds=20) as client:
            progress: list[float] = []

            async def on_progress(p: float, total: float | None, message: str | None) -> None:
                progress.append(p)

            async def slow_async() -> None:
                results["async"] = await client.call_tool(
                    "slow_report", {"seconds": 1.5}, progress_callback=on_progress
                )

            async def slow_sync() -> None:
                results["sync"] = await client.call_tool("slow_sync", {"seconds": 1.5})

            async with anyio.create_task_group() as tg:
                tg.start_soon(slow_async)
                tg.start_soon(slow_sync)
                # The async call has started once its first progress arrives; the sync one was sent with it.
                with anyio.fail_after(5):
                    while not progress:
                        await anyio.sleep(0.01)
                await anyio.sleep(0.1)
                server.proc.send_signal(signal.SIGTERM)
                await wait_until_draining(server)
                async with httpx.AsyncClient(timeout=5) as h:
                    assert (await h.get(base(server) + "/healthz")).json() == {"status": "ok"}
                    refused = await h.post(server.url, json=INIT, headers=ACCEPT)
                    assert refused.status_code == 503
                    assert refused.headers["retry-after"] == "1"
                    assert refused.json()["error"]["message"] == "Service Unavailable: the server is shutting down"
                    assert refused.json()["id"] == 1
                # What a client finishing its work asks for still answers (the SDK lists tools to check the
                # result it gets), new work does not.
                assert len((await client.list_tools()).tools) == 4
                with pytest.raises(mcp.MCPError, match="shutting down"):
                    await client.call_tool("add", {"a": 1, "b": 2})
                assert server.proc.poll() is None  # still draining: the calls are in flight
            assert progress == [0.0, 1.0]
    finally:
        # Signalled once already: it exits by itself once the calls are done (a second SIGTERM is not sent).
        try:
            code = server.proc.wait(15)
        except subprocess.TimeoutExpired:
            code = stop(server.proc)
    assert not results["async"].is_error
    assert results["async"].structured_content == {"slept": 1.5, "client_open": True}
    assert results["sync"].content[0].text == "slept 1.5"
    assert code == 0, "".join(server.stderr_lines)
    # The lifespan's exit ran, after the calls it served.
    time.sleep(0.1)
    assert any("lifespan: closed" in line for line in server.stderr_lines), "".join(server.stderr_lines)


def test_a_call_still_running_at_the_drain_timeout_is_cancelled_and_the_process_exits_0() -> None:
    server = start_http_server(script=PROD, env={"FASTMCP_DRAIN_TIMEOUT": "0.3"})
    with httpx.Client(timeout=10) as h:
        r = h.post(server.url, json=INIT, headers=ACCEPT)
        session = r.headers["mcp-session-id"]
        headers = {**ACCEPT, "mcp-session-id": session, "mcp-protocol-version": "2025-11-25"}
        h.post(server.url, json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=headers)
        call = {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "tools/call",
            "params": {"name": "slow_report", "arguments": {"seconds": 30}, "_meta": {"progressToken": "p"}},
        }
        body: list[str] = []
        with h.stream("POST", server.url, json=call, headers=headers) as stream:
            lines = stream.iter_lines()
            for line in lines:  # the first progress notification: the call runs
                body.append(line)
                if "notifications/progress" in line:
                    break
            started = time.monotonic()
            server.proc.send_signal(signal.SIGTERM)
            body.extend(lines)  # the stream ends: its call was cancelled at the drain timeout
        assert server.proc.wait(10) == 0, "".join(server.stderr_lines)
        assert time.monotonic() - started < 5
    answers = [json.loads(line[5:]) for line in body if line.startswith("data:") and '"id":2' in line]
    # The call was cancelled, and its client told so on its stream before the stream closed.
    assert answers == [{"jsonrpc": "2.0", "id": 2, "error": {"code": -32800, "message": "Request cancelled"}}]


def test_health_and_readiness_paths() -> None:
    server = start_http_server(script=PROD)
    try:
        with httpx.Client(timeout=5) as h:
            live = h.get(base(server) + "/healthz")
            assert (live.status_code, live.json()) == (200, {"status": "ok"})
            assert live.headers["cache-control"] == "no-store"
            ready = h.get(base(server) + "/readyz")
            assert (ready.status_code, ready.json()) == (200, {"status": "ready"})
            assert h.head(base(server) + "/readyz").status_code == 200
            assert h.post(base(server) + "/healthz").status_code == 404
            # A Host that DNS-rebinding protection refuses on the MCP path still gets health answers.
            assert h.get(base(server) + "/healthz", headers={"host": "evil.example"}).status_code == 200
    finally:
        assert stop(server.proc) == 0


def test_health_paths_are_configurable_and_a_custom_route_wins() -> None:
    server = start_http_server(
        script=PROD, env={"PROD_CUSTOM_HEALTH": "1", "FASTMCP_READY_PATH": "/ready", "FASTMCP_HEALTH_PATH": "/live"}
    )
    try:
        with httpx.Client(timeout=5) as h:
            assert h.get(base(server) + "/healthz").text == "mine"
            assert h.get(base(server) + "/live").json() == {"status": "ok"}
            assert h.get(base(server) + "/ready").json() == {"status": "ready"}
            assert h.get(base(server) + "/readyz").status_code == 404
    finally:
        assert stop(server.proc) == 0
    server = start_http_server(script=PROD, env={"PROD_CUSTOM_HEALTH": "1", "FASTMCP_HEALTH_PATH": "/healthz"})
    try:
        with httpx.Client(timeout=5) as h:
            assert h.get(base(server) + "/healthz").text == "mine"  # the user's route, not ours
    finally:
        assert stop(server.proc) == 0


def test_run_options_come_from_fastmcp_environment_variables() -> None:
    server = start_env(
        {
            "FASTMCP_TRANSPORT": "http",
            "FASTMCP_PORT": "0",
            "FASTMCP_STREAMABLE_HTTP_PATH": "/api/mcp",
            "FASTMCP_JSON_RESPONSE": "true",
        }
    )
    try:
        assert server.url.endswith("/api/mcp")
        with httpx.Client(timeout=5) as h:
            r = h.post(server.url, json=INIT, headers=ACCEPT)
            assert r.status_code == 200
            assert r.headers["content-type"] == "application/json"
            assert r.json()["result"]["serverInfo"]["name"] == "production"
    finally:
        assert stop(server.proc) == 0


def test_run_options_come_from_a_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("FASTMCP_TRANSPORT=http\nFASTMCP_PORT=0\nFASTMCP_STATELESS_HTTP=true\n")
    server = start_env({}, cwd=tmp_path)
    try:
        with httpx.Client(timeout=5) as h:
            r = h.post(server.url, json=INIT, headers=ACCEPT)
            assert r.status_code == 200 and "mcp-session-id" not in r.headers  # stateless: no sessions
            assert h.get(server.url, headers={"accept": "text/event-stream"}).status_code == 405
    finally:
        assert stop(server.proc) == 0


def test_settings_module_reads_and_writes_like_fastmcps() -> None:
    code = (
        "import fastmcp_rs.settings as s, fastmcp_rs\n"
        "assert s.port == 9123 and s.host == '0.0.0.0' and s.log_level == 'DEBUG'\n"
        "s.port = 9200\n"
        "assert fastmcp_rs.settings.port == 9200 and s.current().port == 9200\n"
        "from fastmcp_rs.settings import Settings\n"
        "assert Settings().port == 9123\n"
        "print('ok')\n"
    )
    env = {**os.environ, "FASTMCP_PORT": "9123", "FASTMCP_HOST": "0.0.0.0", "FASTMCP_LOG_LEVEL": "debug"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=30)
    assert out.stdout.strip() == "ok", out.stderr


def test_the_docker_example_runs_as_its_image_runs_it() -> None:
    """examples/docker/Dockerfile's CMD, with its ENV (the port made free), then its HEALTHCHECK command."""
    import re
    import shlex

    folder = Path(__file__).parent.parent / "examples" / "docker"
    text = (folder / "Dockerfile").read_text().replace("\\\n", " ")
    final = text.split("\nFROM ")[-1]  # the image's stage
    env = dict(kv.split("=", 1) for line in re.findall(r"^ENV (.+)$", final, re.M) for kv in shlex.split(line))
    cmd = json.loads(re.search(r"^CMD (\[.+\])$", final, re.M).group(1))  # type: ignore[union-attr]
    check = json.loads(re.search(r"HEALTHCHECK .*?CMD (\[.+\])", final).group(1))  # type: ignore[union-attr]
    assert env["FASTMCP_PORT"] == "8000" and cmd[:2] == ["fastmcp-rs", "run"]
    exe = Path(sys.executable).parent / cmd[0]
    proc = subprocess.Popen(
        [str(exe), *cmd[1:]],
        cwd=folder,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **env, "FASTMCP_PORT": "0", "FASTMCP_HOST": "127.0.0.1"},
    )
    lines: list[str] = []
    url: list[str] = []
    ready = threading.Event()

    def pump() -> None:
        assert proc.stderr is not None
        for raw in proc.stderr:
            lines.append(raw.decode(errors="replace"))
            m = URL_LINE.search(lines[-1])
            if m and not url:
                url.append(m.group(1))
                ready.set()
        ready.set()

    threading.Thread(target=pump, daemon=True).start()
    try:
        assert ready.wait(30) and url, "".join(lines)
        port = url[0].split(":")[2].split("/")[0]
        probe = [
            sys.executable if check[0] == "python" else check[0],
            *(a.replace(":8000/", f":{port}/") for a in check[1:]),
        ]
        assert subprocess.run(probe, timeout=10).returncode == 0
        with httpx.Client(timeout=5) as h:
            r = h.post(url[0], json=INIT, headers=ACCEPT)
            assert r.status_code == 200 and "deploy-tools" in r.text
    finally:
        assert stop(proc) == 0, "".join(lines)


@pytest.mark.anyio
async def test_prometheus_metrics_count_requests_and_tool_calls_in_both_eras() -> None:
    from prometheus_client.openmetrics.parser import text_string_to_metric_families

    server = start_http_server(script=PROD, env={"FASTMCP_METRICS_PATH": "/metrics"})
    try:
        for mode in ("legacy", "auto"):  # the handshake era, then 2026-07-28
            async with Client(server.url, mode=mode, read_timeout_seconds=20) as client:
                await client.list_tools()
                assert (await client.call_tool("add", {"a": 1, "b": 2})).structured_content == {"result": 3}
                assert (await client.call_tool("refuse", {"reason": "x"})).is_error
                assert (await client.call_tool("no_such_tool", {})).is_error
        async with httpx.AsyncClient(timeout=5) as h:
            r = await h.get(base(server) + "/metrics")
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("application/openmetrics-text")
        families = {f.name: f for f in text_string_to_metric_families(r.text)}

        def value(family: str, sample: str, **labels: str) -> float:
            found = [s.value for s in families[family].samples if s.name == sample and s.labels == labels]
            assert len(found) == 1, (sample, labels, families[family].samples)
            return found[0]

        assert value("mcp_tool_calls", "mcp_tool_calls_total", tool="add", outcome="ok") == 2
        assert value("mcp_tool_calls", "mcp_tool_calls_total", tool="refuse", outcome="tool_error") == 2
        # An unknown name is not a label of its own (clients cannot grow the series).
        assert value("mcp_tool_calls", "mcp_tool_calls_total", tool="unknown", outcome="tool_error") == 2
        assert value("mcp_requests", "mcp_requests_total", method="tools/call", outcome="ok") == 6
        assert value("mcp_requests", "mcp_requests_total", method="tools/list", outcome="ok") >= 2
        assert value("mcp_request_duration_seconds", "mcp_request_duration_seconds_count", method="tools/call") == 6
        inf = value("mcp_tool_call_duration_seconds", "mcp_tool_call_duration_seconds_bucket", tool="add", le="+Inf")
        assert inf == 2
        assert value("mcp_requests_in_flight", "mcp_requests_in_flight") == 0
        assert value("mcp_draining", "mcp_draining") == 0
        assert "mcp_sessions" in families
    finally:
        assert stop(server.proc) == 0


def test_metrics_are_off_unless_asked_for() -> None:
    server = start_http_server(script=PROD)
    try:
        with httpx.Client(timeout=5) as h:
            assert h.get(base(server) + "/metrics").status_code == 404
    finally:
        assert stop(server.proc) == 0


@pytest.mark.anyio
async def test_the_sync_pool_bounds_come_from_the_environment() -> None:
    # One pool thread: two blocking calls sent together run one after the other.
    server = start_http_server(script=PROD, env={"FASTMCP_MAX_THREADS": "1", "FASTMCP_ACTIVE_SYNC_CALLS": "1"})
    try:
        async with Client(server.url, mode="legacy", read_timeout_seconds=20) as client:
            started = time.monotonic()
            async with anyio.create_task_group() as tg:
                for _ in range(2):
                    tg.start_soon(client.call_tool, "slow_sync", {"seconds": 0.4})
            assert time.monotonic() - started >= 0.8
    finally:
        assert stop(server.proc) == 0
    bad = subprocess.run(
        [sys.executable, str(PROD), "http", "0"],
        env={**os.environ, "FASTMCP_ACTIVE_SYNC_CALLS": "many"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert bad.returncode != 0 and "FASTMCP_ACTIVE_SYNC_CALLS must be a whole number, not 'many'" in bad.stderr
