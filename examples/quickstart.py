"""A small server: run it with `fastmcp-rs run examples/quickstart.py` or `python examples/quickstart.py`."""

import asyncio

from fastmcp_rs import Context, FastMCP

mcp = FastMCP("quickstart", instructions="Adds numbers and echoes text.", version="1.0.0")


@mcp.tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


@mcp.tool()
async def echo(text: str, ctx: Context) -> str:
    """Echo the text back, logging it first."""
    await ctx.info(f"echoing {len(text)} characters")
    await asyncio.sleep(0)
    return text


if __name__ == "__main__":
    mcp.run()
