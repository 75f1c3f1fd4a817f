"""The benchmark harness itself (benches/): the load generator drives real servers in every mode and notices
failures. Not a timing test: it asserts that requests were answered and errors counted, never how fast."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import APP, HttpServer

LOADGEN = Path(__file__).parent.parent / "benches" / "target" / "release" / "mcp-load"

pytestmark = pytest.mark.skipif(
    not LOADGEN.exists() and not os.environ.get("CI"),
    reason="mcp-load not built (scripts/test.sh builds it; CI requires it)",
)


def load(*args: str) -> dict[str, Any]:
    out = subprocess.run([str(LOADGEN), *args], capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


SHORT = ("--warmup", "0.1", "--duration", "0.5")


@pytest.mark.parametrize("tool", ["add", "echo"])
def test_http_handshake_mode(http_server: HttpServer, tool: str) -> None:
    args = {"a": 1, "b": 2} if tool == "add" else {"text": "hi"}
    rep = load("http", "--url", http_server.url, "-c", "4", "--tool", tool, "--args", json.dumps(args), *SHORT)
    assert rep["errors"] == 0, rep["first_error"]
    assert rep["requests"] > 0 and rep["rps"] > 0
    assert 0 < rep["p50_ms"] <= rep["p99_ms"] <= rep["max_ms"]


def test_http_stateless_mode(stateless_server: HttpServer) -> None:
    rep = load("http", "--url", stateless_server.url, "--mode", "stateless", "-c", "2", *SHORT)
    assert rep["errors"] == 0, rep["first_error"]
    assert rep["requests"] > 0


def test_http_modern_mode(http_server: HttpServer) -> None:
    # The 2026-07-28 era: no handshake, the envelope and the routing headers on every call.
    rep = load("http", "--url", http_server.url, "--mode", "modern", "-c", "2", *SHORT)
    assert rep["errors"] == 0, rep["first_error"]
    assert rep["requests"] > 0
    wrong = load("http", "--url", http_server.url, "--mode", "modern", "-c", "1", "--tool", "echo", *SHORT)
    assert wrong["errors"] > 0 and wrong["requests"] == 0  # echo needs text=: the failures are counted


def test_tool_errors_are_counted(http_server: HttpServer) -> None:
    rep = load("http", "--url", http_server.url, "-c", "2", "--tool", "fail_tool_error", "--args", "{}", *SHORT)
    assert rep["requests"] == 0 and rep["errors"] > 0
    assert rep["first_error"].startswith("tool error")


def test_protocol_errors_are_counted(http_server: HttpServer) -> None:
    rep = load("http", "--url", http_server.url, "-c", "1", "--tool", "add", "--args", '{"a": "x"}', *SHORT)
    assert rep["errors"] > 0 and rep["requests"] == 0


@pytest.mark.parametrize("depth", ["1", "8"])
def test_stdio_driver(depth: str) -> None:
    rep = load("stdio", "--depth", depth, *SHORT, "--", sys.executable, str(APP), "stdio")
    assert rep["errors"] == 0, rep["first_error"]
    assert rep["requests"] > 0


def test_startup_and_sessions(http_server: HttpServer) -> None:
    rep = load("startup", "--runs", "2", "--", sys.executable, str(APP), "stdio")
    assert len(rep["runs_ms"]) == 2 and rep["median_ms"] > 0
    rep = load("sessions", "--url", http_server.url, "--count", "25", "-c", "3")
    assert rep == {**rep, "sessions": 25, "errors": 0}
