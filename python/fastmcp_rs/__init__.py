"""fastmcp-rs: FastMCP servers with a native (Rust) core.

Change ``from fastmcp import FastMCP`` to ``from fastmcp_rs import FastMCP``; tools stay as they are.
"""

from __future__ import annotations

from ._core import __version__
from .context import Context
from .exceptions import ToolError
from .server import FastMCP
from .tools import Tool
from .utilities.types import Audio, File, Image

__all__ = ["Audio", "Context", "FastMCP", "File", "Image", "Tool", "ToolError", "__version__"]
