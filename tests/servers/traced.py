"""A server with an OpenTelemetry SDK configured (an in-memory exporter), for tests/test_telemetry.py. Its tools
make spans of their own with the user's tracer; `spans` returns what was exported so far. `TRACE_IMPL=fastmcp`
serves it with FastMCP 4. `traced.py http PORT` serves Streamable HTTP; without arguments, stdio."""

from __future__ import annotations

import asyncio
import os
import sys

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

exporter = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(exporter))
trace.set_tracer_provider(provider)

if os.environ.get("TRACE_IMPL") == "fastmcp":
    from fastmcp import FastMCP
    from fastmcp.exceptions import ToolError
else:
    from fastmcp_rs import FastMCP
    from fastmcp_rs.exceptions import ToolError

tracer = trace.get_tracer("user-code")
mcp = FastMCP("traced")


@mcp.tool
def add(a: int, b: int) -> int:
    with tracer.start_as_current_span("user.add"):
        return a + b


@mcp.tool
async def slow_add(a: int, b: int) -> int:
    await asyncio.sleep(0.001)
    with tracer.start_as_current_span("user.slow_add"):
        return a + b


@mcp.tool
def refuse() -> str:
    raise ToolError("not today")


@mcp.resource("data://config")
def config() -> str:
    return "debug=false"


@mcp.prompt
def greet(name: str) -> str:
    return f"Hello {name}"


KEYS = (
    "mcp.method.name",
    "gen_ai.tool.name",
    "gen_ai.operation.name",
    "gen_ai.prompt.name",
    "mcp.resource.uri",
    "fastmcp.component.type",
    "fastmcp.component.key",
    "error.type",
)


@mcp.tool
def spans() -> list[dict]:
    """The spans exported so far, in order."""
    found = []
    for s in exporter.get_finished_spans():
        found.append(
            {
                "name": s.name,
                "kind": s.kind.name,
                "trace_id": format(s.context.trace_id, "032x"),
                "span_id": format(s.context.span_id, "016x"),
                "parent": format(s.parent.span_id, "016x") if s.parent else None,
                "status": s.status.status_code.name,
                "attributes": {k: s.attributes[k] for k in KEYS if k in s.attributes},
                "session": s.attributes.get("mcp.session.id") is not None,
                "request_id": s.attributes.get("jsonrpc.request.id"),
            }
        )
    return found


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "http":
        mcp.run(transport="http", host="127.0.0.1", port=int(sys.argv[2]), show_banner=False)
    else:
        mcp.run(show_banner=False)
