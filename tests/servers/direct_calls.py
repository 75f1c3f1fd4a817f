"""``await mcp.call_tool()`` / ``read_resource()`` / ``render_prompt()`` (tests/test_direct_calls.py).
``MW_IMPL=fastmcp`` builds it with FastMCP 4. ``relay`` calls another tool through ``mcp.call_tool`` from
inside a call (the server serving over stdio)."""

import os

if os.environ.get("MW_IMPL") == "fastmcp":
    from fastmcp import Context, FastMCP
    from fastmcp.exceptions import ToolError
    from fastmcp.server.middleware import Middleware
else:
    from fastmcp_rs import Context, FastMCP
    from fastmcp_rs.exceptions import ToolError
    from fastmcp_rs.server.middleware import Middleware

SEEN: list[str] = []


class Count(Middleware):
    async def on_call_tool(self, context, call_next):
        SEEN.append(context.message.name)
        return await call_next(context)


mcp = FastMCP("direct", middleware=[Count()])


@mcp.tool
def add(a: int, b: int) -> int:
    return a + b


@mcp.tool
def profile(name: str) -> dict:
    return {"name": name, "tags": ["a", "b"]}


@mcp.tool
def boom() -> str:
    raise ValueError("bad")


@mcp.tool
def refuse() -> str:
    raise ToolError("not today")


@mcp.tool
async def who(ctx: Context) -> str:
    return ctx.fastmcp.name


@mcp.tool
async def relay(a: int) -> str:
    inner = await mcp.call_tool("add", {"a": a, "b": 1})
    return f"relayed {inner.structured_content['result']}"


@mcp.tool
async def relay_reads() -> list[str]:
    read = await mcp.read_resource("data://k2/value")
    rendered = await mcp.render_prompt("brief", {"topic": "go"})
    return [read.contents[0].content, rendered.messages[0].content.text]


@mcp.resource("data://config")
def config() -> str:
    return "region=eu"


@mcp.resource("data://{key}/value")
def value(key: str) -> dict:
    return {"key": key}


@mcp.prompt
def brief(topic: str) -> str:
    return f"Brief me on {topic}"


@mcp.tool
def seen() -> list[str]:
    return SEEN


if __name__ == "__main__":
    mcp.run(show_banner=False)
