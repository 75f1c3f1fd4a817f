"""Seed server: the "Demo" server of the developer's guide, with the feature-rich additions.

Sync and async tools, a ``list[dict]`` result from an in-memory SQLite table, an async "HTTP" fetch
with error strings, a tool using ``ctx: Context`` for logging and progress, and the guide's resource
functions (config, user profiles) exposed as tools. Network and file access are in-memory fakes.
"""

from __future__ import annotations

import asyncio
import sqlite3

from fastmcp_rs import Context, FastMCP
from fastmcp_rs.exceptions import ToolError

mcp = FastMCP("Demo")


# ---- in-memory stand-ins ----------------------------------------------------------------------------


def _community_db() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.executescript(
        """
        CREATE TABLE chatters (name TEXT, messages INTEGER);
        INSERT INTO chatters VALUES ('ana', 512), ('bo', 87), ('cy', 1024), ('di', 3);
        """
    )
    return conn


class _HTTPStatusError(Exception):
    def __init__(self, status_code: int) -> None:
        self.status_code = status_code


class _RequestError(Exception):
    def __init__(self, url: str) -> None:
        self.url = url


_RAW_FILES = {
    "https://raw.githubusercontent.com/acme/app/main/hello.py": 'def hello():\n    return "hi"\n',
    "https://raw.githubusercontent.com/acme/app/main/README.md": "# app\n\nUnicode: naïve café — ✓\n",
}


async def _fake_fetch(url: str) -> str:
    await asyncio.sleep(0)
    if "unreachable" in url:
        raise _RequestError(url)
    if url not in _RAW_FILES:
        raise _HTTPStatusError(404)
    return _RAW_FILES[url]


_FILES = {
    "file:///docs/a.md": "alpha",
    "file:///docs/b.md": "bravo bravo",
    "file:///docs/c.md": "charlie",
}


async def _read_resource(uri: str) -> str:
    await asyncio.sleep(0)
    if uri not in _FILES:
        raise FileNotFoundError(f"Unknown resource: {uri}")
    return _FILES[uri]


APP_CONFIG = {"theme": "dark", "version": "1.2.0", "features": ["search", "export"]}

USER_PROFILES = {
    101: {"name": "Alice", "status": "active"},
    102: {"name": "Bob", "status": "inactive"},
}


# ---- tools -------------------------------------------------------------------------------------------


@mcp.tool()
def add(a: int, b: int) -> int:
    """Add two numbers"""
    return a + b


@mcp.tool()
def get_top_chatters() -> list[dict]:
    """Retrieve the top chatters sorted by number of messages."""
    conn = _community_db()
    cursor = conn.cursor()
    cursor.execute("SELECT name, messages FROM chatters ORDER BY messages DESC")
    results = cursor.fetchall()
    conn.close()
    chatters = [{"name": name, "messages": messages} for name, messages in results]
    return chatters


@mcp.tool()
async def get_github_code(url: str) -> str:
    """Fetch source code from a raw GitHub content URL."""
    if not url.startswith("https://"):
        raise ToolError("Only https:// URLs can be fetched")
    try:
        return await _fake_fetch(url)
    except _HTTPStatusError as e:
        return f"Error fetching URL: {e.status_code}"
    except _RequestError as e:
        return f"An error occurred while requesting {e.url!r}."


@mcp.tool()
async def process_files(files: list[str], ctx: Context) -> str:
    """Processes a list of files with logging and progress reporting."""
    total_files = len(files)
    await ctx.info(f"Starting to process {total_files} files.")
    for i, file_uri in enumerate(files):
        try:
            content = await _read_resource(file_uri)
            await ctx.info(f"Processing content from {file_uri}... ({len(content)} chars)")
            await asyncio.sleep(0)
        except Exception as e:
            await ctx.error(f"Failed to read resource {file_uri}: {e}")
        await ctx.report_progress(i + 1, total_files)
    await ctx.info("File processing complete.")
    return "Successfully processed all files."


@mcp.tool()
def echo(message: str) -> str:
    """Returns the message it received."""
    return f"Server received: {message}"


@mcp.tool()
def get_app_config() -> dict:
    """Provides the application's static configuration."""
    return APP_CONFIG


@mcp.tool()
def get_user_profile(user_id: int) -> dict:
    """Retrieves a user's profile by their integer ID."""
    return USER_PROFILES.get(user_id, {"error": "User not found"})


if __name__ == "__main__":
    mcp.run()
