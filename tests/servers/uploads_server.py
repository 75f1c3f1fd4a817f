"""``FileUpload`` with small limits (tests/test_apps.py), served by FastMCP 4.2.3 (``fastmcp``) or by fastmcp-rs
(``fastmcp-rs run``, which serves these imports)."""

from fastmcp import FastMCP
from fastmcp.apps.file_upload import FileUpload

mcp = FastMCP("Uploads", providers=[FileUpload(max_file_size=64, max_total_size=100, title="Drop box")])

if __name__ == "__main__":
    mcp.run(show_banner=False)
