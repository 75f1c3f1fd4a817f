"""A server written for the MCP Python SDK v1's FastMCP, unedited (tests/test_cli.py)."""

import mcp.types as types
from mcp.server.fastmcp import Context, FastMCP
from mcp.server.fastmcp.prompts.base import UserMessage
from mcp.server.fastmcp.utilities.types import Image

server = FastMCP("cli-sdk")


@server.tool()
def multiply(a: float, b: float) -> float:
    """Multiply two numbers."""
    return a * b


@server.tool()
async def describe(ctx: Context) -> dict:
    """Where the names come from."""
    await ctx.info("describe called")
    return {
        "fastmcp_module": type(server).__module__,
        "types_module": types.__name__,
        "image": Image.__module__,
    }


@server.prompt()
def ask(topic: str) -> list:
    return [UserMessage(f"Tell me about {topic}")]


if __name__ == "__main__":
    server.run()
