"""Seed server: system monitoring ("sysmon") from the production-guide walkthrough.

Plain synchronous tools returning strings, Google-style ``Args:`` docstrings, defaults, decorators that
wrap tools (``functools.wraps``), an in-memory SQLite "analytics" database and an underscore-named
health tool. ``df``/``systemctl``/``/proc`` are replaced by deterministic fakes.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import time
from collections import defaultdict
from dataclasses import dataclass
from functools import wraps

from fastmcp_rs import FastMCP
from fastmcp_rs.exceptions import ToolError

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")  # stderr
logger = logging.getLogger("sysmon")

mcp = FastMCP("sysmon")


# ---- deterministic stand-ins for the host ----------------------------------------------------------


@dataclass
class _Completed:
    stdout: str
    stderr: str = ""
    returncode: int = 0


_DF = {
    "/": "/dev/sda1        50G   21G   27G  44% /",
    "/var": "/dev/sdb1       200G  150G   40G  79% /var",
    "/home": "/dev/sdc1       500G   12G  463G   3% /home",
}
_SERVICES = {"nginx": "active", "postgresql": "active", "redis": "inactive", "cron": "failed"}


def _fake_run(cmd: list[str], capture_output: bool = True, text: bool = True, timeout: int = 10) -> _Completed:
    """Stands in for subprocess.run for the two commands the tools use."""
    if cmd[:2] == ["df", "-h"]:
        path = cmd[2]
        if path not in _DF:
            return _Completed("", f"df: {path}: No such file or directory\n", 1)
        return _Completed("Filesystem      Size  Used Avail Use% Mounted on\n" + _DF[path] + "\n")
    if cmd[:2] == ["systemctl", "is-active"]:
        state = _SERVICES.get(cmd[2], "inactive")
        return _Completed(state + "\n", "", 0 if state == "active" else 3)
    raise FileNotFoundError(cmd[0])


def _fake_loadavg() -> str:
    return "0.42 0.36 0.30 2/311 48213\n"


_START_TIME = 1_750_000_000.0


def _now() -> float:
    return _START_TIME + 3600.5


def _analytics_db() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.executescript(
        """
        CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, plan TEXT);
        INSERT INTO users VALUES (1, 'alice', 'pro'), (2, 'bob', 'free'), (3, 'carol', 'pro'), (4, 'dave', NULL);
        CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, total REAL);
        INSERT INTO orders VALUES (10, 1, 19.99), (11, 1, 5.0), (12, 3, 120.5);
        """
    )
    return conn


# ---- tools -------------------------------------------------------------------------------------------


@mcp.tool()
def greet(name: str) -> str:
    """Greet someone by name."""
    return f"Hello, {name}!"


@mcp.tool()
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


@mcp.tool()
def weather_forecast(city: str, units: str = "celsius") -> str:
    """Get the current weather forecast for a city.

    Args:
        city: City name (e.g., "San Francisco")
        units: Temperature units, "celsius" or "fahrenheit"
    """
    # In production, call a real weather API
    return f"25° {units}, partly cloudy in {city}"


@mcp.tool()
def disk_usage(path: str = "/") -> str:
    """Check disk usage for a given mount point.

    Args:
        path: Filesystem path to check (default: /)
    """
    result = _fake_run(["df", "-h", path], capture_output=True, text=True, timeout=10)
    return result.stdout


@mcp.tool()
def system_load() -> str:
    """Get current CPU load averages (1, 5, 15 min)."""
    return _fake_loadavg().strip()


@mcp.tool()
def service_status(service_name: str) -> str:
    """Check if a systemd service is running.

    Args:
        service_name: Name of the systemd service (e.g., "nginx")
    """
    if not re.fullmatch(r"[A-Za-z0-9@._-]{1,64}", service_name):
        raise ToolError(f"Invalid service name: {service_name!r}")
    result = _fake_run(["systemctl", "is-active", service_name], capture_output=True, text=True, timeout=10)
    return result.stdout.strip()


@mcp.tool()
def query_database(sql: str, max_rows: int = 100) -> str:
    """Execute a read-only SQL query against the analytics database.

    Args:
        sql: SQL query string (SELECT only)
        max_rows: Maximum rows to return (default: 100, max: 1000)
    """
    sql_upper = sql.strip().upper()
    if not sql_upper.startswith("SELECT"):
        return "ERROR: Only SELECT queries are allowed on this tool."
    if max_rows > 1000:
        max_rows = 1000
    try:
        conn = _analytics_db()
        cursor = conn.cursor()
        cursor.execute(sql)
        rows = cursor.fetchmany(max_rows)
        conn.close()
        return json.dumps(rows, default=str)
    except Exception as e:
        return f"ERROR: Query failed — {e!s}"


# Simple in-memory rate limiter
call_counts: dict[str, list[float]] = defaultdict(list)
RATE_LIMIT = 3  # calls per window (kept small so the limit is reachable in a test)
WINDOW = 60  # seconds


def rate_limited(tool_func):
    @wraps(tool_func)
    def wrapper(*args, **kwargs):
        now = time.monotonic()
        window_start = now - WINDOW
        call_counts[tool_func.__name__] = [t for t in call_counts[tool_func.__name__] if t > window_start]
        if len(call_counts[tool_func.__name__]) >= RATE_LIMIT:
            return "ERROR: Rate limit exceeded. Try again later."
        call_counts[tool_func.__name__].append(now)
        return tool_func(*args, **kwargs)

    return wrapper


@mcp.tool()
@rate_limited
def expensive_search(query: str) -> str:
    """Search the document store (rate-limited to 3 calls/min)."""
    return f"Results for: {query}"


@mcp.tool()
def user_lookup(user_id: str) -> str:
    """Look up a user by ID."""
    logger.info("user_lookup_called user_id=%s", user_id)
    return f"User {user_id} found"


@mcp.tool()
def _health() -> str:
    """INTERNAL: Health check endpoint (not exposed to LLMs)."""
    return json.dumps({"status": "ok", "version": "1.0.0", "uptime_seconds": _now() - _START_TIME})


class _Histogram:
    """A tiny stand-in for prometheus_client.Histogram (labels(...).time() as a decorator)."""

    def __init__(self, name: str, doc: str, labelnames: list[str]) -> None:
        self.name = name
        self.observations: dict[str, list[float]] = defaultdict(list)

    def labels(self, label: str) -> _Histogram._Child:
        return _Histogram._Child(self, label)

    class _Child:
        def __init__(self, parent: _Histogram, label: str) -> None:
            self.parent, self.label = parent, label

        def time(self):
            def decorator(fn):
                @wraps(fn)
                def timed(*args, **kwargs):
                    start = time.perf_counter()
                    try:
                        return fn(*args, **kwargs)
                    finally:
                        self.parent.observations[self.label].append(time.perf_counter() - start)

                return timed

            return decorator


class _Counter:
    def __init__(self, name: str, doc: str, labelnames: list[str]) -> None:
        self.values: dict[str, int] = defaultdict(int)

    def labels(self, label: str) -> _Counter._Child:
        return _Counter._Child(self, label)

    class _Child:
        def __init__(self, parent: _Counter, label: str) -> None:
            self.parent, self.label = parent, label

        def inc(self) -> None:
            self.parent.values[self.label] += 1


tool_calls = _Counter("mcp_tool_calls_total", "Total tool calls", ["tool"])
tool_duration = _Histogram("mcp_tool_duration_seconds", "Tool call duration", ["tool"])


@mcp.tool()
@tool_duration.labels("search").time()
def search(query: str) -> str:
    tool_calls.labels("search").inc()
    return f"Results for: {query}"


if __name__ == "__main__":
    mcp.run()
