"""FastMCP 4's rate limiting middleware, enforced by the core: the same server file under FastMCP 4.2.3 and
under fastmcp-rs, over stdio, must admit and refuse the same requests with the same errors; over HTTP the
refusal is the same in both eras."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import start_http_server, stop

SERVER = Path(__file__).parent / "servers" / "rate_limited.py"
INIT = {
    "jsonrpc": "2.0",
    "id": 0,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}


def call(i: int) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": {"name": "add", "arguments": {"a": i, "b": 1}}}


def over_stdio(impl: str, kind: str) -> list[dict[str, Any]]:
    """initialize, initialized, five calls and a ping, one at a time; the answers, in order."""
    proc = subprocess.Popen(
        [sys.executable, str(SERVER)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "RL_IMPL": impl, "RL_KIND": kind},
    )
    assert proc.stdin is not None and proc.stdout is not None
    answers = []
    try:
        messages = [INIT, {"jsonrpc": "2.0", "method": "notifications/initialized"}]
        messages += [call(i) for i in range(1, 6)] + [{"jsonrpc": "2.0", "id": 9, "method": "ping"}]
        for message in messages:
            proc.stdin.write(json.dumps(message).encode() + b"\n")
            proc.stdin.flush()
            if "id" in message:
                answers.append(json.loads(proc.stdout.readline()))
    finally:
        proc.stdin.close()
        proc.wait(20)
    return answers


def shape(answer: dict[str, Any]) -> Any:
    """What must match: which requests were refused, and how."""
    if "error" in answer:
        return ("error", answer["id"], answer["error"]["code"], answer["error"]["message"])
    return ("ok", answer["id"], answer["result"].get("structuredContent"))


@pytest.mark.parametrize("kind", ["bucket", "global", "window"])
def test_the_same_requests_are_refused_with_the_same_errors_as_fastmcp(kind: str) -> None:
    pytest.importorskip("fastmcp")
    ours = [shape(a) for a in over_stdio("fastmcp_rs", kind)]
    theirs = [shape(a) for a in over_stdio("fastmcp", kind)]
    assert ours == theirs
    # Four requests fit: initialize and three calls; the rest (the ping too) are refused.
    assert [s[0] for s in ours] == ["ok", "ok", "ok", "ok", "error", "error", "error"]
    expected = {
        "bucket": "Rate limit exceeded for client: global",
        "global": "Global rate limit exceeded",
        "window": "Rate limit exceeded: 4 requests per 1 minutes for client: global",
    }[kind]
    assert ours[4] == ("error", 4, -32000, expected)


@pytest.mark.parametrize("kind", ["client_bucket", "client_window"])
def test_a_key_per_client_is_enforced_by_python_middleware_as_fastmcp_does(kind: str) -> None:
    pytest.importorskip("fastmcp")
    ours = [shape(a) for a in over_stdio("fastmcp_rs", kind)]
    theirs = [shape(a) for a in over_stdio("fastmcp", kind)]
    assert ours == theirs
    # Each key has its own limit of three: the calls to `add` share one, `initialize` and `ping` have theirs.
    assert [s[0] for s in ours] == ["ok", "ok", "ok", "ok", "error", "error", "ok"]
    expected = {
        "client_bucket": "Rate limit exceeded for client: agent-add",
        "client_window": "Rate limit exceeded: 3 requests per 1 minutes for client: agent-add",
    }[kind]
    assert ours[4] == ("error", 4, -32000, expected)


def test_over_http_a_refusal_is_a_json_rpc_error_in_both_eras_and_is_counted() -> None:
    from prometheus_client.openmetrics.parser import text_string_to_metric_families

    server = start_http_server(script=SERVER, env={"FASTMCP_METRICS_PATH": "/metrics"})
    headers = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
    modern = {
        **headers,
        "mcp-protocol-version": "2026-07-28",
        "mcp-method": "tools/call",
        "mcp-name": "add",
    }
    meta = {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "1"},
    }
    try:
        with httpx.Client(timeout=10) as h:
            outcomes = []
            for i in range(1, 6):
                body = call(i)
                body["params"]["_meta"] = meta
                r = h.post(server.url, json=body, headers={**modern, "accept": "application/json"})
                assert r.status_code == 200
                outcomes.append(r.json())
            assert ["result" in o for o in outcomes] == [True, True, True, True, False]
            assert outcomes[4]["error"] == {"code": -32000, "message": "Rate limit exceeded for client: global"}
            # The handshake era shares the server's one limit: it is spent.
            r = h.post(server.url, json=INIT, headers={**headers, "accept": "application/json"})
            assert r.json()["error"]["code"] == -32000
            # A body over the limit is refused before it is read, and counted apart.
            big = h.post(server.url, content=b"{" + b" " * (5 * 1024 * 1024) + b"}", headers=headers)
            assert big.status_code == 413
            text = h.get(server.url.rsplit("/", 1)[0] + "/metrics").text
        refused = {
            s.labels["reason"]: s.value
            for f in text_string_to_metric_families(text)
            if f.name == "mcp_refused_requests"
            for s in f.samples
            if s.name == "mcp_refused_requests_total"
        }
        assert refused == {"rate_limited": 2, "too_large": 1}
    finally:
        assert stop(server.proc) == 0


def test_the_limiters_without_client_keys_run_in_the_core() -> None:
    from fastmcp_rs import FastMCP
    from fastmcp_rs.server.middleware.rate_limiting import RateLimitError, RateLimitingMiddleware

    keyed = FastMCP("y", middleware=[RateLimitingMiddleware(get_client_id=lambda ctx: "me")])
    assert keyed._python_middleware == keyed.middleware
    limited = FastMCP("z", middleware=[RateLimitingMiddleware(max_requests_per_second=5)])
    assert [type(m).__name__ for m in limited.middleware] == ["RateLimitingMiddleware"]
    assert limited._python_middleware == []  # enforced in the core: no Python runs for it
    assert limited.middleware[0].burst_capacity == 10  # FastMCP's default: twice the rate
    error = RateLimitError()
    assert (error.code, str(error.message)) == (-32000, "Rate limit exceeded")
