"""FastMCP 4's built-in middleware on a small server (tests/test_builtin_middleware.py). `MW_IMPL=fastmcp`
serves it with FastMCP 4 itself; `MW_KIND` picks the middleware: `timing`, `logging`, `structured`, `audit`,
`errors`, `retry`, `limit`, `auth` (`AuthMiddleware` with a `StaticTokenVerifier`, over HTTP) or `inject`
(`ToolInjectionMiddleware` and `DereferenceRefsMiddleware` on a server with `dereference_schemas=False`). Log records
of the `fastmcp` loggers are kept and returned by the `logs` tool. `builtin_middleware.py http PORT` serves
Streamable HTTP; without arguments, stdio.
"""

from __future__ import annotations

import logging
import os
import sys

if os.environ.get("MW_IMPL") == "fastmcp":
    from fastmcp import FastMCP
    from fastmcp.exceptions import ToolError
    from fastmcp.server.auth import restrict_tag
    from fastmcp.server.auth.providers.jwt import StaticTokenVerifier
    from fastmcp.server.middleware.authorization import AuthMiddleware
    from fastmcp.server.middleware.dereference import DereferenceRefsMiddleware
    from fastmcp.server.middleware.error_handling import ErrorHandlingMiddleware, RetryMiddleware
    from fastmcp.server.middleware.logging import LoggingMiddleware, StructuredLoggingMiddleware
    from fastmcp.server.middleware.response_limiting import ResponseLimitingMiddleware
    from fastmcp.server.middleware.timing import DetailedTimingMiddleware, TimingMiddleware
    from fastmcp.server.middleware.tool_injection import ToolInjectionMiddleware
    from fastmcp.tools import Tool
else:
    from fastmcp_rs import FastMCP
    from fastmcp_rs.exceptions import ToolError
    from fastmcp_rs.server.auth import restrict_tag
    from fastmcp_rs.server.auth.providers.jwt import StaticTokenVerifier
    from fastmcp_rs.server.middleware.authorization import AuthMiddleware
    from fastmcp_rs.server.middleware.dereference import DereferenceRefsMiddleware
    from fastmcp_rs.server.middleware.error_handling import ErrorHandlingMiddleware, RetryMiddleware
    from fastmcp_rs.server.middleware.logging import LoggingMiddleware, StructuredLoggingMiddleware
    from fastmcp_rs.server.middleware.response_limiting import ResponseLimitingMiddleware
    from fastmcp_rs.server.middleware.timing import DetailedTimingMiddleware, TimingMiddleware
    from fastmcp_rs.server.middleware.tool_injection import ToolInjectionMiddleware
    from fastmcp_rs.tools import Tool

from pydantic import BaseModel

RECORDS: list[str] = []


class Keep(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        RECORDS.append(f"{record.name}|{record.levelname}|{record.getMessage()}")


for name in ("fastmcp.timing", "fastmcp.middleware", "fastmcp.errors", "fastmcp.retry", "fastmcp.server.middleware"):
    logger = logging.getLogger(name)
    logger.addHandler(Keep())
    logger.setLevel(logging.INFO)
    logger.propagate = False

kind = os.environ.get("MW_KIND", "timing")


class Point(BaseModel):
    x: float
    y: float


class Segment(BaseModel):
    start: Point
    end: Point


def multiply(a: int, b: int) -> int:
    """Injected in the place of the server's own `add`."""
    return a * b


def length(segment: Segment) -> Segment:
    """An injected tool whose schemas have $defs."""
    return segment


def exploding() -> str:
    raise RuntimeError("injected tool failed")


middleware = {
    "timing": lambda: [TimingMiddleware(), DetailedTimingMiddleware()],
    "logging": lambda: [
        LoggingMiddleware(include_payloads=True, include_payload_length=True, estimate_payload_tokens=True)
    ],
    "structured": lambda: (
        [StructuredLoggingMiddleware(include_payloads=True, audit=False)]
        if os.environ.get("MW_IMPL") != "fastmcp"
        else [StructuredLoggingMiddleware(include_payloads=True)]
    ),
    "audit": lambda: [StructuredLoggingMiddleware()],
    "errors": lambda: [ErrorHandlingMiddleware(), LoggingMiddleware()],
    "retry": lambda: [RetryMiddleware(base_delay=0.01)],
    "limit": lambda: [ResponseLimitingMiddleware(max_size=100, tools=["big"])],
    "auth": lambda: [AuthMiddleware(auth=restrict_tag("admin", scopes=["admin"]))],
    "inject": lambda: [
        DereferenceRefsMiddleware(),
        ToolInjectionMiddleware(
            tools=[
                Tool.from_function(multiply, name="add"),
                Tool.from_function(length),
                Tool.from_function(exploding),
            ]
        ),
        LoggingMiddleware(),
    ],
}[kind]()
auth = None
if kind == "auth":
    tokens = {"alice": {"client_id": "alice", "scopes": ["admin"]}, "bob": {"client_id": "bob", "scopes": ["read"]}}
    auth = StaticTokenVerifier(tokens=tokens)
mcp = FastMCP("builtins", middleware=middleware, auth=auth, dereference_schemas=kind != "inject")
FLAKY = {"left": 2}


@mcp.tool
def add(a: int, b: int) -> int:
    return a + b


@mcp.tool
def bad_value() -> str:
    raise ValueError("bad value")


@mcp.tool
def said_no() -> str:
    raise ToolError("tool said no")


@mcp.tool
def missing_key() -> str:
    raise KeyError("k")


@mcp.tool
def flaky() -> str:
    if FLAKY["left"] > 0:
        FLAKY["left"] -= 1
        raise ConnectionError(f"conn fail {2 - FLAKY['left']}")
    return "connected"


@mcp.tool
def big() -> str:
    return "x" * 1000


@mcp.tool(tags={"admin"})
def adm() -> str:
    return "admin only"


@mcp.resource("res://missing")
def missing() -> str:
    raise FileNotFoundError("nofile")


@mcp.resource("res://admin", tags={"admin"})
def admin_data() -> str:
    return "secret"


@mcp.prompt
def p(topic: str) -> str:
    return f"About {topic}"


@mcp.tool
def route(segments: list[Segment]) -> Segment:
    return segments[0]


@mcp.tool
def logs() -> list[str]:
    return RECORDS


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "http":
        mcp.run(transport="http", host="127.0.0.1", port=int(sys.argv[2]), show_banner=False)
    else:
        mcp.run(show_banner=False)
