"""Server-level icons and website URL (FastMCP 4's ``FastMCP(icons=..., website_url=...)``), served by fastmcp-rs
(``IMPL=rs``) or FastMCP 4.2.3, for tests/test_server_info.py."""

import os

if os.environ.get("IMPL") == "rs":
    from fastmcp_rs import FastMCP
else:
    from fastmcp import FastMCP
from mcp.types import Icon

mcp = FastMCP(
    "Icons",
    instructions="Icons everywhere.",
    website_url="https://example.com",
    icons=[Icon(src="https://example.com/i.png", mimeType="image/png", sizes=["64x64"])],
    version="1.2",
)


@mcp.tool(icons=[Icon(src="https://example.com/t.png")])
def tool_with_icon() -> str:
    return "x"


if __name__ == "__main__":
    mcp.run(show_banner=False) if os.environ.get("IMPL") != "rs" else mcp.run()
