"""Several versions of tools, a resource, a template and a prompt (tests/test_versions.py).
``MW_IMPL=fastmcp`` serves it with FastMCP 4 itself."""

import os

if os.environ.get("MW_IMPL") == "fastmcp":
    from fastmcp import Context, FastMCP
else:
    from fastmcp_rs import Context, FastMCP

mcp = FastMCP("versioned")


@mcp.tool(version="1.0")
def charge(amount: int) -> dict:
    """Charge (v1)."""
    return {"v": "1.0", "amount": amount}


@mcp.tool(version="1.10")
def charge(amount: int, currency: str = "EUR") -> dict:  # noqa: F811
    """Charge (v1.10)."""
    return {"v": "1.10", "amount": amount, "currency": currency}


@mcp.tool(version="1.2")
async def charge(amount: int, ctx: Context) -> dict:  # noqa: F811
    """Charge (v1.2)."""
    return {"v": "1.2", "amount": amount, "server": ctx.fastmcp.name}


@mcp.tool(version="2")
def single(x: int) -> int:
    return x


@mcp.tool
def plain() -> str:
    return "plain"


@mcp.resource("config://app", version="1.0")
def config_v1() -> str:
    return "legacy"


@mcp.resource("config://app", version="2.0")
def config_v2() -> str:
    return "modern"


@mcp.resource("items://{item_id}", version="1")
def item_v1(item_id: str) -> str:
    return f"item {item_id} (v1)"


@mcp.resource("items://{item_id}", version="3")
def item_v3(item_id: str) -> str:
    return f"item {item_id} (v3)"


@mcp.prompt(version="1.0")
def summarize(text: str) -> str:
    return f"Summarize: {text}"


@mcp.prompt(version="2.0")
def summarize(text: str, style: str = "concise") -> str:  # noqa: F811
    return f"Summarize in a {style} style: {text}"


if __name__ == "__main__":
    mcp.run(show_banner=False)
