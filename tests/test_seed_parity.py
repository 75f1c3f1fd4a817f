"""Parity of fastmcp-rs with FastMCP on realistic "seed" servers (tests/seeds/seed_*.py).

Each seed is run twice over stdio: as written (``from fastmcp_rs import ...``) and from a temporary copy
whose imports are rewritten to ``fastmcp``. Both get the same newline-delimited JSON-RPC script
(initialize, notifications/initialized, tools/list, then tools/call with valid, coerced, invalid and
failing arguments, some with a progress token). Every line a server writes is collected per request
(the notifications it emitted, then its response) and the two transcripts must be equal as JSON values.

Plain subprocess pipes, no client library. One process per seed per implementation; both
implementations of a seed run concurrently.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastmcp")

SEEDS_DIR = Path(__file__).parent / "seeds"
PROTOCOL_VERSION = "2025-06-18"
STARTUP_TIMEOUT = 30.0  # initialize (includes interpreter + framework import)
REQUEST_TIMEOUT = 10.0  # any later request
DRAIN_SECONDS = 0.3  # wait for stray output after the last response


# ---------------------------------------------------------------------------------------------------
# The calls made against each seed: (tool, arguments, with_progress_token).
# ---------------------------------------------------------------------------------------------------

_OMIT = object()


def call(tool: str, arguments: Any = _OMIT, progress: bool | int | str = False) -> dict:
    """One tools/call. ``arguments`` left out: no "arguments" key is sent. ``progress``: True sends a
    string progress token; an int or str is sent as the token itself."""
    spec: dict[str, Any] = {"tool": tool, "progress": progress}
    if arguments is not _OMIT:
        spec["arguments"] = arguments
    return spec


SEED_CALLS: dict[str, list[dict]] = {
    "seed_results": [
        call(tool, {"kind": kind})
        for tool, kinds in {
            "untyped": [
                "int",
                "bool",
                "float",
                "huge",
                "str",
                "empty_str",
                "none",
                "list",
                "empty_list",
                "tuple",
                "dict",
                "float_dict",
                "int_keys",
                "enum",
                "nested_tuple",
            ],
            "as_int": ["int", "neg", "bool", "float", "str", "none"],
            "as_str": ["str", "empty_str", "int", "enum", "none"],
            "as_bool": ["bool", "int", "none"],
            "as_float": ["float", "huge", "whole", "int", "bool"],
            "as_dict": ["dict", "float_dict", "int_keys", "nested_tuple", "none", "list"],
            "as_str_any_dict": ["dict", "float_dict", "int_keys"],
            "as_list": ["list", "empty_list", "tuple", "dict", "none"],
            "as_int_list": ["list", "empty_list", "tuple"],
            "as_any": ["int", "float", "huge", "str", "none", "list", "tuple", "dict", "float_dict", "enum"],
            "async_as_dict": ["dict", "float_dict"],
        }.items()
        for kind in kinds
    ],
    "seed_crm": [
        call("search_customers", {"query": "acme"}),
        call("search_customers", {"query": "ACME", "tier": "growth"}),
        call("search_customers", {"query": "example", "tier": None}),
        call("search_customers", {"query": "nobody"}),
        call("search_customers", {"query": 5}),  # lax? str does not accept int in pydantic
        call("search_customers", {"tier": "growth"}),  # missing required
        call("search_customers", {"query": "acme", "limit": 3}),  # extra field
        call("search_customers", {"query": ["acme"]}),  # wrong type
        call("search_customers", {"query": "acme", "tier": 5}),  # int for str | None
        call("search_customers", {"query": "globex"}, progress=7),  # integer progress token
        call("get_customer_notes", {"customer_id": "cus_001"}),
        call("get_customer_notes", {"customer_id": "cus_005"}),  # empty string result
        call("get_customer_notes", {"customer_id": "cus_404"}),  # ToolError
        call("get_customer_notes", {}),  # missing
        call("get_customer_notes", {"customer_id": None}),  # null
        call("get_customer_notes", {"customer_id": "cus_002"}, progress=True),
        call("no_such_tool", {}),
    ],
    "seed_sysmon": [
        call("greet", {"name": "World"}),
        call("greet", {"name": "Zoë ✓"}),
        call("greet", {"name": 42}),  # int for str
        call("greet", {}),
        call("greet", {"name": "x", "extra": True}),
        call("add", {"a": 3, "b": 4}),
        call("add", {"a": "5", "b": "-2"}),  # numeric strings
        call("add", {"a": 2.0, "b": 1}),  # integral float
        call("add", {"a": 2.5, "b": 1}),  # fractional float
        call("add", {"a": True, "b": 1}),  # bool for int
        call("add", {"a": "five", "b": 1}),
        call("add", {"a": 1}),
        call("add", {"a": 2**62, "b": 2**62}),  # sum overflows i64
        call("add", {"a": 2**63, "b": 0}),  # above i64, within u64
        # Integers outside the 64-bit range are a known difference: see test_integers_beyond_64_bits.
        call("weather_forecast", {"city": "San Francisco"}),
        call("weather_forecast", {"city": "Oslo", "units": "fahrenheit"}),
        call("disk_usage", {}),
        call("disk_usage", {"path": "/var"}),
        call("disk_usage", {"path": "/nope"}),  # empty string result
        call("system_load"),  # no "arguments" key at all
        call("system_load", None),  # "arguments": null
        call("system_load", {}),
        call("system_load", {"verbose": True}),  # extra on a no-arg tool
        call("service_status", {"service_name": "nginx"}),
        call("service_status", {"service_name": "cron"}),
        call("service_status", {"service_name": "nginx; rm -rf /"}),  # ToolError
        call("query_database", {"sql": "SELECT id, name, plan FROM users ORDER BY id"}),
        call("query_database", {"sql": "select * from orders", "max_rows": "2"}),
        call("query_database", {"sql": "SELECT * FROM missing"}),
        call("query_database", {"sql": "DROP TABLE users"}),
        call("query_database", {"sql": "SELECT 1", "max_rows": "lots"}),
        call("expensive_search", {"query": "q1"}),
        call("expensive_search", {"query": "q2"}),
        call("expensive_search", {"query": "q3"}),
        call("expensive_search", {"query": "q4"}),  # over the limit
        call("expensive_search", {}),
        call("user_lookup", {"user_id": "u-1"}),
        call("_health", {}),
        call("search", {"query": "docs"}),
        call("search", {"query": None}),
        call("greet", {"name": "progress"}, progress=True),
    ],
    "seed_deploy": [
        call("get_deploy_status", {"service_name": "api-gateway", "environment": "production"}),
        call("get_deploy_status", {"service_name": "auth-service", "environment": "production"}, progress=True),
        call("get_deploy_status", {"service_name": "API_Gateway", "environment": "staging"}),
        call("get_deploy_status", {"service_name": "api-gateway", "environment": "qa"}),
        call("get_deploy_status", {"service_name": "ghost-service", "environment": "staging"}),
        call("get_deploy_status", {"service_name": "slow-service", "environment": "staging"}),
        call("get_deploy_status", {"service_name": "slow-service", "environment": "staging"}, progress=True),
        call("get_deploy_status", {"service_name": "broken-service", "environment": "staging"}),
        call("get_deploy_status", {"service_name": "api-gateway"}),
        call("get_deploy_status", {"service_name": "api-gateway", "environment": "staging", "ctx": "x"}),
        call("describe_deploy", {"request": {"service_name": "api-gateway", "environment": "production"}}),
        call("describe_deploy", {"request": '{"service_name": "api-gateway", "environment": "staging"}'}),
        call("describe_deploy", {"request": {"service_name": "Bad Name", "environment": "staging"}}),
        call("describe_deploy", {"request": {"service_name": "api-gateway", "environment": "dev"}}),
        call("describe_deploy", {"request": {"service_name": "api-gateway"}}),
        call("describe_deploy", {"request": {"service_name": "api-gateway", "environment": "staging", "x": 1}}),
        call("describe_deploy", {"service_name": "api-gateway", "environment": "staging"}),
        call("check_deploy_status", {"service_name": "api-gateway", "environment": "staging"}),
        call("check_deploy_status", {"service_name": "auth-service", "environment": "staging"}, progress=True),
        call("check_deploy_status", {"service_name": "api-gateway", "environment": "prod"}),
        call("check_deploy_status", {"service_name": "ghost-service", "environment": "staging"}),
        call("check_deploy_status", {"service_name": "slow-service", "environment": "production"}),
        call("check_deploy_status", {"service_name": "Not Valid", "environment": "staging"}),
        call("get_deploy_history", {"service_name": "api-gateway", "environment": "production"}),
        call("get_deploy_history", {"service_name": "api-gateway", "environment": "staging", "limit": "2"}),
        call("get_deploy_history", {"service_name": "api-gateway", "environment": "staging", "limit": 0}),
        call("get_deploy_history", {"service_name": "api-gateway", "environment": "staging", "limit": 2.0}),
        call("get_deploy_history", {"service_name": "api-gateway", "environment": "staging", "limit": 2.5}),
        call("get_deploy_history", {"service_name": "api-gateway", "environment": "staging", "_claims": {"sub": "me"}}),
        call(
            "rollback_deploy", {"service_name": "api-gateway", "environment": "production", "target_version": "2.13.3"}
        ),
        call("rollback_deploy", {"service_name": "api-gateway", "environment": "production"}),
        call("list_services", {}),
        call("get_deploy_status_limited", {"service_name": "api-gateway", "environment": "staging"}, progress=True),
        call("get_deploy_status_limited", {"service_name": "ghost-service", "environment": "staging"}),
        call("get_deploy_status_limited", {"service_name": "api-gateway", "environment": "staging"}, progress=True),
    ],
    "seed_acme": [
        call("ping", {}),
        call("ping", {"message": "hi there"}),
        call("ping", {"message": 3.5}),
        call("ping", {"message": "x", "other": 1}),
        call("create_issue", {"args": {"title": "Login page is down"}}),
        call(
            "create_issue",
            {"args": {"title": "Crash", "body": "**steps**", "severity": "critical", "assignee": "dana-s"}},
        ),
        call("create_issue", {"args": {"title": "Null assignee", "assignee": None, "severity": "low"}}),
        call("create_issue", {"args": {"title": "ab"}}),  # min_length
        call("create_issue", {"args": {"title": "éé"}}),  # 2 characters, 4 UTF-8 bytes: too short
        call("create_issue", {"args": {"title": "✓✓✓", "severity": "low"}}),  # 3 characters: long enough
        call("create_issue", {"args": {"title": "x" * 201}}),  # max_length
        call("create_issue", {"args": {"title": "Bad severity", "severity": "urgent"}}),
        call("create_issue", {"args": {"title": "Bad assignee", "assignee": "Dana Scully"}}),
        call("create_issue", {"args": {"body": "no title"}}),
        call("create_issue", {"args": {"title": "Extra", "labels": ["a"]}}),
        call("create_issue", {"args": '{"title": "JSON string args", "severity": "high"}'}),
        call("create_issue", {"args": "not json"}),
        call("create_issue", {"title": "flat args"}),
        call("create_issue", {"args": {"title": 12345}}),
        call("list_issues", {}),
        call("list_issues", {"severity": "critical"}),
        call("list_issues", {"severity": None, "limit": "2"}),
        call("list_issues", {"assignee": "dana-s", "title_contains": "CRASH"}),
        call("list_issues", {"title_contains": "ééééééééééé✓"}),  # 12 characters, 24 UTF-8 bytes: allowed
        call("list_issues", {"title_contains": "ééééééééééé✓!"}),  # 13 characters: too long
        call("list_issues", {"title_contains": "😀😀😀😀😀😀😀😀😀😀😀😀"}),  # 12 code points, 24 UTF-16 units
        call("list_issues", {"limit": 0}),
        call("list_issues", {"limit": 51}),
        call("list_issues", {"limit": 50.0}),
        call("list_issues", {"limit": True}),
        call("list_issues", {"severity": "urgent"}),
        call("list_issues", {"severity": "LOW"}),
        call("list_issues", {"assignee": "Not Valid"}),
        call("list_issues", {"assignee": None}),
        call("list_issues", {"title_contains": None}),
        call("list_issues", {"limit": 1, "severity": "medium"}, progress=True),
        call("fetch_user", {"user_id": "u100"}),
        call("fetch_user", {"user_id": "u200"}, progress=True),
        call("fetch_user", {"user_id": "../etc/passwd"}),  # ToolError
        call("fetch_user", {"user_id": "u999"}),  # ValueError
        call("fetch_user", {"user_id": 100}),
        call("fetch_user", {}),
    ],
    "seed_demo": [
        call("add", {"a": 1, "b": 2}),
        call("add", {"a": "40", "b": "2"}),
        call("add", {"a": -7, "b": 0}, progress=True),
        call("add", {"a": 1, "b": "two"}),
        call("add", {"a": 1, "b": 2, "c": 3}),
        call("add", {"b": 2}),
        call("add", {"a": None, "b": 2}),
        call("get_top_chatters", {}),
        call("get_top_chatters", {}, progress=True),
        call("get_github_code", {"url": "https://raw.githubusercontent.com/acme/app/main/hello.py"}),
        call("get_github_code", {"url": "https://raw.githubusercontent.com/acme/app/main/README.md"}),
        call("get_github_code", {"url": "https://raw.githubusercontent.com/acme/app/main/missing.py"}),
        call("get_github_code", {"url": "https://unreachable.example/x"}),
        call("get_github_code", {"url": "ftp://example.com/x"}),  # ToolError
        call("get_github_code", {"url": ["https://x"]}),
        call("process_files", {"files": ["file:///docs/a.md", "file:///docs/b.md"]}),
        call(
            "process_files",
            {"files": ["file:///docs/a.md", "file:///docs/nope.md", "file:///docs/c.md"]},
            progress=True,
        ),
        call("process_files", {"files": []}, progress=True),
        call("process_files", {"files": "file:///docs/a.md"}),  # str for list
        call("process_files", {"files": ["file:///docs/a.md", 7]}),
        call("process_files", {}),
        call("echo", {"message": "hello"}),
        call("echo", {"message": ""}),
        call("echo", {"message": 'line1\nline2\t"quoted" \\ back'}),
        call("get_app_config", {}),
        call("get_user_profile", {"user_id": 101}),
        call("get_user_profile", {"user_id": "102"}),
        call("get_user_profile", {"user_id": 999}),
        call("get_user_profile", {"user_id": "abc"}),
        call("get_user_profile", {"user_id": 101.0}),
    ],
}

SEEDS = sorted(SEED_CALLS)


# ---------------------------------------------------------------------------------------------------
# A minimal stdio JSON-RPC driver.
# ---------------------------------------------------------------------------------------------------


class StdioServer:
    """One server subprocess. A reader thread queues each stdout line; reads time out."""

    def __init__(self, script: Path, workdir: Path) -> None:
        env = dict(os.environ)
        env.update(
            PYTHONUNBUFFERED="1",
            PYTHONDONTWRITEBYTECODE="1",
            FASTMCP_SHOW_SERVER_BANNER="false",
            FASTMCP_CHECK_FOR_UPDATES="off",
        )
        self.stderr_path = workdir / f"{script.stem}.stderr"
        self._stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, str(script)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            cwd=str(workdir),
            env=env,
        )
        self._lines: queue.Queue[bytes | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def send(self, message: dict) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(message).encode() + b"\n")
        self.proc.stdin.flush()

    def _next(self, deadline: float) -> Any:
        """The next output line as JSON (non-JSON lines are returned wrapped); raises on timeout/EOF."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        try:
            line = self._lines.get(timeout=remaining)
        except queue.Empty:
            raise TimeoutError from None
        if line is None:
            raise EOFError
        text = line.decode("utf-8", "replace").rstrip("\r\n")
        try:
            return json.loads(text)
        except ValueError:
            return {"<non-json stdout line>": text}

    def request(self, request_id: int, method: str, params: dict | None, timeout: float) -> tuple[Any, list[Any]]:
        """Sends a request; returns (response, every other message received before it)."""
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        deadline = time.monotonic() + timeout
        others: list[Any] = []
        while True:
            try:
                msg = self._next(deadline)
            except TimeoutError:
                return {"<no response>": f"timed out after {timeout}s"}, others
            except EOFError:
                return {"<no response>": f"server exited (rc={self.proc.poll()})"}, others
            if isinstance(msg, dict) and "method" not in msg:
                if msg.get("id") == request_id:
                    return msg, others
                if msg.get("id") is None and "error" in msg:
                    # e.g. a parse error: requests are sent one at a time, so it answers this one.
                    return msg, others
            others.append(msg)

    def drain(self, seconds: float) -> list[Any]:
        out: list[Any] = []
        deadline = time.monotonic() + seconds
        while True:
            try:
                out.append(self._next(deadline))
            except (TimeoutError, EOFError):
                return out

    def close(self) -> None:
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=3)
        self._stderr.close()

    def stderr_tail(self, n: int = 2000) -> str:
        try:
            return self.stderr_path.read_text("utf-8", "replace")[-n:]
        except OSError:
            return ""


def run_script(script: Path, workdir: Path, calls: list[dict]) -> dict:
    """Runs the whole JSON-RPC script against one server; returns its transcript."""
    server = StdioServer(script, workdir)
    transcript: dict[str, Any] = {"calls": []}
    try:
        init, init_other = server.request(
            0,
            "initialize",
            {
                "protocolVersion": PROTOCOL_VERSION,
                "capabilities": {},
                "clientInfo": {"name": "seed-parity", "version": "0.0.1"},
            },
            STARTUP_TIMEOUT,
        )
        transcript["initialize"] = (init, init_other)
        server.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        transcript["tools/list"] = server.request(1, "tools/list", {}, REQUEST_TIMEOUT)
        for i, spec in enumerate(calls):
            request_id = 100 + i
            params: dict[str, Any] = {"name": spec["tool"]}
            if "arguments" in spec:
                params["arguments"] = spec["arguments"]
            token = spec["progress"]
            if token is not False:
                params["_meta"] = {"progressToken": f"progress-{request_id}" if token is True else token}
            transcript["calls"].append(server.request(request_id, "tools/call", params, REQUEST_TIMEOUT))
        transcript["trailing"] = server.drain(DRAIN_SECONDS)
    finally:
        server.close()
        transcript["stderr"] = server.stderr_tail()
    return transcript


def fastmcp_copy(seed: Path, workdir: Path) -> Path:
    source = seed.read_text("utf-8")
    rewritten = re.sub(r"^from fastmcp_rs\.exceptions import", "from fastmcp.exceptions import", source, flags=re.M)
    rewritten = re.sub(r"^from fastmcp_rs import", "from fastmcp import", rewritten, flags=re.M)
    assert "fastmcp_rs" not in rewritten, f"{seed.name}: unexpected fastmcp_rs reference left after rewrite"
    target = workdir / seed.name
    target.write_text(rewritten, "utf-8")
    return target


_RESULTS: dict[str, tuple[dict, dict]] = {}
_RESULTS_LOCK = threading.Lock()


def transcripts(seed_name: str) -> tuple[dict, dict]:
    """(fastmcp-rs transcript, FastMCP transcript) for a seed, computed once per test session."""
    with _RESULTS_LOCK:
        if seed_name not in _RESULTS:
            seed = SEEDS_DIR / f"{seed_name}.py"
            calls = SEED_CALLS[seed_name]
            with tempfile.TemporaryDirectory(prefix=f"parity-{seed_name}-") as tmp:
                tmpdir = Path(tmp)
                rs_dir, py_dir = tmpdir / "rs", tmpdir / "py"
                rs_dir.mkdir()
                py_dir.mkdir()
                rs_script = rs_dir / seed.name
                shutil.copyfile(seed, rs_script)
                py_script = fastmcp_copy(seed, py_dir)
                with ThreadPoolExecutor(2) as pool:
                    rs = pool.submit(run_script, rs_script, rs_dir, calls)
                    py = pool.submit(run_script, py_script, py_dir, calls)
                    _RESULTS[seed_name] = (rs.result(), py.result())
        return _RESULTS[seed_name]


def dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def describe(spec: dict) -> str:
    token = spec["progress"]
    extra = "" if token is False else " +progressToken" + ("" if token is True else f"={token!r}")
    args = dump(spec["arguments"]) if "arguments" in spec else "<no arguments key>"
    return f"tools/call {spec['tool']} {args}{extra}"


# ---------------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------------


def test_seed_calls_cover_every_tool() -> None:
    """Sanity check on this file: every seed has calls, and every seed file is exercised."""
    on_disk = sorted(p.stem for p in SEEDS_DIR.glob("seed_*.py"))
    assert on_disk == SEEDS


@pytest.mark.parametrize("seed_name", SEEDS)
def test_initialize(seed_name: str) -> None:
    rs, py = transcripts(seed_name)
    (rs_init, rs_other), (py_init, py_other) = rs["initialize"], py["initialize"]
    assert "result" in rs_init, f"fastmcp-rs initialize failed: {dump(rs_init)}\nstderr:\n{rs['stderr']}"
    assert "result" in py_init, f"FastMCP initialize failed: {dump(py_init)}\nstderr:\n{py['stderr']}"
    assert rs_init["result"]["protocolVersion"] == py_init["result"]["protocolVersion"] == PROTOCOL_VERSION
    assert rs_init["result"]["serverInfo"]["name"] == py_init["result"]["serverInfo"]["name"]
    # One deliberate difference: fastmcp-rs serves resources/subscribe (FastMCP 4 answers "Method not found").
    expected = json.loads(json.dumps(py_init["result"]["capabilities"]))
    expected["resources"]["subscribe"] = True
    assert rs_init["result"]["capabilities"] == expected
    assert rs_init["result"].get("instructions") == py_init["result"].get("instructions")
    assert rs_other == py_other


@pytest.mark.parametrize("seed_name", SEEDS)
def test_tools_list(seed_name: str) -> None:
    rs, py = transcripts(seed_name)
    (rs_resp, rs_other), (py_resp, py_other) = rs["tools/list"], py["tools/list"]
    assert "result" in py_resp, f"FastMCP tools/list failed: {dump(py_resp)}\nstderr:\n{py['stderr']}"
    listed = {t["name"] for t in py_resp["result"]["tools"]}
    called = {c["tool"] for c in SEED_CALLS[seed_name]}
    assert listed <= called, f"tools never called by this test: {sorted(listed - called)}"

    rs_tools = {t.get("name"): t for t in rs_resp.get("result", {}).get("tools", [])}
    py_tools = {t["name"]: t for t in py_resp["result"]["tools"]}
    problems = []
    if sorted(rs_tools) != sorted(py_tools):
        problems.append(f"tool names differ: fastmcp-rs={sorted(rs_tools)} FastMCP={sorted(py_tools)}")
    for name in sorted(set(rs_tools) & set(py_tools)):
        if rs_tools[name] != py_tools[name]:
            problems.append(
                f"tool {name!r}:\n  fastmcp-rs: {dump(rs_tools[name])}\n  FastMCP:    {dump(py_tools[name])}"
            )
    if rs_other != py_other:
        problems.append(
            f"messages before the response:\n  fastmcp-rs: {dump(rs_other)}\n  FastMCP:    {dump(py_other)}"
        )
    # The whole result too (order of tools, nextCursor, ...).
    if not problems and rs_resp != py_resp:
        problems.append(f"response:\n  fastmcp-rs: {dump(rs_resp)}\n  FastMCP:    {dump(py_resp)}")
    assert not problems, f"{seed_name}: tools/list differs\n" + "\n".join(problems)


@pytest.mark.parametrize("seed_name", SEEDS)
def test_tool_calls(seed_name: str) -> None:
    rs, py = transcripts(seed_name)
    calls = SEED_CALLS[seed_name]
    assert len(rs["calls"]) == len(py["calls"]) == len(calls)
    problems = []
    for i, spec in enumerate(calls):
        (rs_resp, rs_notes), (py_resp, py_notes) = rs["calls"][i], py["calls"][i]
        if rs_resp != py_resp or rs_notes != py_notes:
            lines = [f"[{100 + i}] {describe(spec)}"]
            if rs_notes != py_notes:
                lines.append(f"  notifications fastmcp-rs: {dump(rs_notes)}")
                lines.append(f"  notifications FastMCP:    {dump(py_notes)}")
            if rs_resp != py_resp:
                lines.append(f"  response fastmcp-rs: {dump(rs_resp)}")
                lines.append(f"  response FastMCP:    {dump(py_resp)}")
            problems.append("\n".join(lines))
    if rs["trailing"] != py["trailing"]:
        problems.append(
            "output after the last response:\n"
            f"  fastmcp-rs: {dump(rs['trailing'])}\n  FastMCP:    {dump(py['trailing'])}"
        )
    assert not problems, f"{seed_name}: {len(problems)} of {len(calls)} tools/call exchanges differ\n\n" + "\n\n".join(
        problems
    )
