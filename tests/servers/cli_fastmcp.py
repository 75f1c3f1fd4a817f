"""A server written for FastMCP, unedited: `fastmcp-rs run` serves it with fastmcp_rs (tests/test_cli.py)."""

import os
import sys

import fastmcp
from fastmcp import Context, FastMCP
from fastmcp.exceptions import ToolError
from fastmcp.server.context import Context as ServerContext
from fastmcp.utilities.types import Image

mcp = FastMCP("cli-fastmcp", instructions="A FastMCP file served by fastmcp-rs.", version="3.1.0")


@mcp.tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


@mcp.tool(tags={"ops", "info"}, annotations={"readOnlyHint": True})
async def whoami(ctx: Context) -> dict:
    """Which implementation serves this file."""
    await ctx.info("whoami called")
    return {
        "fastmcp_module": type(mcp).__module__,
        "fastmcp_file": fastmcp.__file__,
        "context_is_server_context": Context is ServerContext,
        "image": Image.__module__,
    }


@mcp.tool
def argv() -> list[str]:
    """The server file's sys.argv[1:]."""
    return sys.argv[1:]


@mcp.tool
def env(name: str) -> str | None:
    """An environment variable."""
    return os.environ.get(name)


@mcp.tool
def refuse() -> str:
    raise ToolError("not today")


@mcp.resource("data://greeting", tags={"docs"})
def greeting() -> str:
    """A greeting."""
    return "hello"


@mcp.resource("users://{user_id}/profile")
def profile(user_id: int) -> dict:
    """A user's profile."""
    return {"id": user_id}


@mcp.prompt
def review(code: str, strict: bool = False) -> str:
    """Review some code."""
    return f"Review this{' strictly' if strict else ''}: {code}"


if __name__ == "__main__":
    mcp.run()
