"""A catalogue of tools behind a search transform (tests/test_search_transforms.py). ``MW_IMPL=fastmcp``
serves it with FastMCP 4 itself; ``SEARCH_KIND`` is ``regex`` or ``bm25`` (with ``read_file`` always
listed)."""

import os

if os.environ.get("MW_IMPL") == "fastmcp":
    from fastmcp import FastMCP
    from fastmcp.server.transforms.search import BM25SearchTransform, RegexSearchTransform
else:
    from fastmcp_rs import FastMCP
    from fastmcp_rs.server.transforms.search import BM25SearchTransform, RegexSearchTransform

mcp = FastMCP("searched")


@mcp.tool
def add(a: int, b: int) -> int:
    """Add two numbers together."""
    return a + b


@mcp.tool
def multiply(x: float, y: float) -> float:
    """Multiply two numbers."""
    return x * y


@mcp.tool
def read_file(path: str) -> str:
    """Read a text file from disk and return its contents."""
    return f"contents of {path}"


@mcp.tool
def weather_forecast(city: str, days: int = 3) -> dict:
    """Get the weather forecast for a city over the coming days."""
    return {"city": city, "days": days, "sky": "clear"}


@mcp.tool
def send_email(to: str, subject: str, body: str) -> str:
    """Send an email message to a recipient."""
    return f"sent to {to}"


@mcp.tool
def convert_currency(amount: float, source: str, target: str) -> float:
    """Convert an amount of money between two currencies."""
    return amount * 1.1


if os.environ.get("SEARCH_KIND") == "bm25":
    mcp.add_transform(BM25SearchTransform(max_results=3, always_visible=["read_file"]))
else:
    mcp.add_transform(RegexSearchTransform(max_results=2))

if __name__ == "__main__":
    mcp.run(show_banner=False)
