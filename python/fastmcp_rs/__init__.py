"""fastmcp-rs: FastMCP servers with a native (Rust) core.

Change ``from fastmcp import FastMCP`` to ``from fastmcp_rs import FastMCP``; tools, resources and prompts stay
as they are.
"""

from __future__ import annotations

from ._core import __version__
from .context import Context, get_context
from .exceptions import McpError, PromptError, ResourceError, ToolError
from .lifespan import lifespan
from .prompts import AssistantMessage, Message, PromptResult, UserMessage
from .resources import ResourceContent, ResourceResult, ResourceSecurity
from .server import FastMCP
from .tools import Tool
from .utilities.types import Audio, File, Image

__all__ = [
    "AssistantMessage",
    "Audio",
    "Context",
    "FastMCP",
    "File",
    "Image",
    "McpError",
    "Message",
    "PromptError",
    "PromptResult",
    "ResourceContent",
    "ResourceError",
    "ResourceResult",
    "ResourceSecurity",
    "Tool",
    "ToolError",
    "UserMessage",
    "__version__",
    "get_context",
    "lifespan",
]
