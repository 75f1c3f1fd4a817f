"""A server with extensions of its own (SEP-2133), as FastMCP 4's extensions guide writes them: a call counter
that advertises settings, adds request methods (one limited to the modern era), counts the tool calls of
clients that opt in and short-circuits one tool; a second interceptor to show the nesting; a lifespan. Run
unchanged on FastMCP 4.2.3 (``EXT_IMPL=fastmcp``) and on fastmcp-rs; ``EXT_MIDDLEWARE=1`` adds a middleware
that records the methods it sees. ``EXT_HTTP=port`` serves Streamable HTTP instead of stdio."""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any

from mcp.shared.exceptions import MCPError
from mcp.types import RequestParams
from pydantic import BaseModel

if os.environ.get("EXT_IMPL") == "fastmcp":
    from fastmcp import Context, FastMCP
    from fastmcp.server.dependencies import get_context
    from fastmcp.server.extensions import MethodBinding, ServerExtension
    from fastmcp.server.middleware import Middleware
    from fastmcp.tools.base import ToolResult
else:
    from fastmcp_rs import Context, FastMCP
    from fastmcp_rs.server.dependencies import get_context
    from fastmcp_rs.server.extensions import MethodBinding, ServerExtension
    from fastmcp_rs.server.middleware import Middleware
    from fastmcp_rs.tools.base import ToolResult

ID = "com.example/call-counter"
order: list[str] = []
seen: list[str] = []


class CountParams(RequestParams):
    pass


class DoubleParams(RequestParams):
    n: int


class Doubled(BaseModel):
    doubled: int
    note: str | None = None


class CallCounter(ServerExtension):
    identifier = ID

    def __init__(self) -> None:
        self.count = 0
        self.state = "new"

    def settings(self) -> dict[str, Any]:
        return {"maxCount": 100, "resettable": True}

    def methods(self) -> list[MethodBinding]:
        return [
            MethodBinding(method="callCounter/get", params_type=CountParams, handler=self.get_count),
            MethodBinding(method="callCounter/double", params_type=DoubleParams, handler=self.double),
            MethodBinding(method="callCounter/reset", params_type=CountParams, handler=self.reset),
            MethodBinding(method="callCounter/fail", params_type=CountParams, handler=self.fail),
            MethodBinding(method="callCounter/refuse", params_type=CountParams, handler=self.refuse),
            MethodBinding(
                method="callCounter/modern",
                params_type=CountParams,
                handler=self.modern,
                protocol_versions=frozenset({"2026-07-28"}),
            ),
            MethodBinding(method="callCounter/seen", params_type=CountParams, handler=self.seen),
        ]

    @contextlib.asynccontextmanager
    async def lifespan(self) -> Any:
        self.state = "running"
        try:
            yield
        finally:
            self.state = "stopped"
            print("call-counter stopped", file=sys.stderr, flush=True)

    async def get_count(self, ctx: Any, params: CountParams) -> dict[str, Any]:
        context = get_context()
        return {
            "count": self.count,
            "state": self.state,
            "optedIn": self.client_settings(ctx),
            "protocolVersion": ctx.protocol_version,
            "sameServer": context.fastmcp is self.server,
            "requestId": str(ctx.request_id),
        }

    async def double(self, ctx: Any, params: DoubleParams) -> Doubled:
        return Doubled(doubled=params.n * 2)

    async def reset(self, ctx: Any, params: CountParams) -> None:
        self.count = 0

    async def fail(self, ctx: Any, params: CountParams) -> dict[str, Any]:
        raise MCPError(code=-32001, message="counter is sealed", data={"why": "test"})

    async def refuse(self, ctx: Any, params: CountParams) -> dict[str, Any]:
        raise ValueError("the counter broke")

    async def modern(self, ctx: Any, params: CountParams) -> dict[str, Any]:
        return {"era": "modern"}

    async def seen(self, ctx: Any, params: CountParams) -> dict[str, Any]:
        return {"order": list(order), "middleware": list(seen)}

    async def intercept_tool_call(self, params: Any, context: Any, call_next: Any) -> Any:
        order.append(f"counter:{params.name}")
        if context.client_extension_settings(self.identifier) is not None:
            self.count += 1
        if params.name == "secret":
            return ToolResult(content="intercepted", structured_content={"by": "counter"})
        return await call_next()


class Auditor(ServerExtension):
    identifier = "com.example/auditor"

    async def intercept_tool_call(self, params: Any, context: Any, call_next: Any) -> Any:
        order.append(f"auditor:{params.name}")
        result = await call_next()
        order.append(f"auditor-done:{type(result).__name__}")
        return result


class Spy(Middleware):
    async def on_request(self, context: Any, call_next: Any) -> Any:
        seen.append(context.method)
        return await call_next(context)


mcp = FastMCP("extended", middleware=[Spy()] if os.environ.get("EXT_MIDDLEWARE") == "1" else [])
mcp.add_extension(CallCounter())
mcp.add_extension(Auditor())


@mcp.tool
def add(a: int, b: int) -> int:
    """Adds two numbers."""
    return a + b


@mcp.tool
def secret() -> str:
    return "the real body"


@mcp.tool
async def opted(ctx: Context) -> dict[str, Any] | None:
    """What this call declared for the counter."""
    return {"settings": ctx.client_extension_settings(ID)}


if __name__ == "__main__":
    if port := os.environ.get("EXT_HTTP"):
        mcp.run(transport="http", host="127.0.0.1", port=int(port), show_banner=False)
    else:
        mcp.run(show_banner=False)
