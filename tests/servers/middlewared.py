"""A server with Python middleware of the kinds FastMCP 4 users write (tests/test_middleware.py): one that
records what passes, one that enforces a policy (refuses a tool, rewrites arguments, hides tagged tools, adds
`_meta` to results), and one that times calls with `time.perf_counter`.

`MW_IMPL=fastmcp` serves it with FastMCP 4 itself (the reference). `middlewared.py http PORT` serves Streamable
HTTP; without arguments, stdio.
"""

from __future__ import annotations

import os
import sys
import time

if os.environ.get("MW_IMPL") == "fastmcp":
    from fastmcp import Context, FastMCP
    from fastmcp.exceptions import ToolError
    from fastmcp.server.middleware import Middleware, MiddlewareContext
    from fastmcp.tools.base import ToolResult
else:
    from fastmcp_rs import Context, FastMCP
    from fastmcp_rs.exceptions import ToolError
    from fastmcp_rs.server.middleware import Middleware, MiddlewareContext
    from fastmcp_rs.tools.base import ToolResult

EVENTS: list[list] = []


class Recorder(Middleware):
    async def on_message(self, context: MiddlewareContext, call_next):
        EVENTS.append(["message", context.type, context.method])
        return await call_next(context)

    async def on_request(self, context: MiddlewareContext, call_next):
        EVENTS.append(["request", context.method, context.source])
        return await call_next(context)

    async def on_discover(self, context: MiddlewareContext, call_next):
        result = await call_next(context)
        served = result.get("supportedVersions") if isinstance(result, dict) else result.supported_versions
        EVENTS.append(["discover", "2026-07-28" in served])
        return result

    async def on_call_tool(self, context: MiddlewareContext, call_next):
        EVENTS.append(["call", context.message.name, dict(context.message.arguments or {})])
        try:
            result = await call_next(context)
        except ToolError as e:
            EVENTS.append(["raised", type(e).__name__, str(e)])
            raise
        EVENTS.append(["result", result.structured_content])
        return result

    async def on_read_resource(self, context: MiddlewareContext, call_next):
        result = await call_next(context)
        EVENTS.append(["read", str(context.message.uri), [c.content for c in result.contents]])
        return result

    async def on_get_prompt(self, context: MiddlewareContext, call_next):
        result = await call_next(context)
        EVENTS.append(["prompt", context.message.name, len(result.messages)])
        return result

    async def on_list_tools(self, context: MiddlewareContext, call_next):
        tools = await call_next(context)
        EVENTS.append(["listed", sorted(t.name for t in tools)])
        return tools


class Policy(Middleware):
    async def on_call_tool(self, context: MiddlewareContext, call_next):
        name = context.message.name
        if name == "blocked":
            raise ToolError("blocked by policy")
        if context.fastmcp_context is None:
            raise ToolError("no context")
        if name == "add" and (context.message.arguments or {}).get("a") == 100:
            message = context.message.model_copy(update={"arguments": {"a": 1, "b": 1}})
            context = context.copy(message=message)
        result = await call_next(context)
        if name == "add":
            return ToolResult(
                content=result.content, structured_content=result.structured_content, meta={"policy": "checked"}
            )
        return result

    async def on_list_tools(self, context: MiddlewareContext, call_next):
        return [t for t in await call_next(context) if "hidden" not in t.tags]


class Timing(Middleware):
    async def on_request(self, context: MiddlewareContext, call_next):
        started = time.perf_counter()
        try:
            return await call_next(context)
        finally:
            took = time.perf_counter() - started
            if took < 0:
                raise AssertionError("time went backwards")


mcp = FastMCP("middlewared", middleware=[Recorder(), Policy()])
mcp.add_middleware(Timing())


@mcp.tool
def add(a: int, b: int) -> int:
    return a + b


@mcp.tool(tags={"hidden"})
def secret() -> str:
    return "hidden but callable"


@mcp.tool
def blocked() -> str:
    return "never runs"


@mcp.tool
def boom() -> str:
    raise ToolError("the tool failed")


@mcp.tool
async def who(ctx: Context) -> str:
    return f"request {ctx.request_id is not None}"


@mcp.tool
def events() -> list:
    """What the middleware saw so far (this call's own entries included)."""
    return EVENTS


@mcp.resource("data://config")
def config() -> str:
    return "debug=false"


@mcp.prompt
def greet(name: str) -> str:
    return f"Hello {name}"


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "http":
        mcp.run(transport="http", host="127.0.0.1", port=int(sys.argv[2]), show_banner=False)
    else:
        mcp.run(show_banner=False)
