"""fastmcp-rs: FastMCP servers with a native (Rust) core.

Change ``from fastmcp import FastMCP`` to ``from fastmcp_rs import FastMCP``; tools, resources and prompts stay
as they are. The package mirrors FastMCP's module paths (``fastmcp_rs.server``, ``fastmcp_rs.tools``,
``fastmcp_rs.resources``, ``fastmcp_rs.prompts``, ``fastmcp_rs.exceptions``...).
"""

from __future__ import annotations

from ._context import Context, get_context
from ._core import __version__
from ._mrtr import InputRequiredResult
from .exceptions import FastMCPDeprecationWarning, McpError, PromptError, ResourceError, ToolError
from .lifespan import lifespan  # the old module path, loaded first so the name stays the decorator
from .prompts import AssistantMessage, Message, PromptResult, UserMessage
from .resources import ResourceContent, ResourceResult, ResourceSecurity
from .server import FastMCP
from .server.request_state import RequestStateSecurity, install_sdk_hook
from .tools import Tool, ToolResult
from .utilities.types import Audio, File, Image

# `mcp.server.request_state.RequestStateSecurity(keys=[...])`, the SDK's spelling, hands its keys over too.
install_sdk_hook()

__all__ = [
    "AssistantMessage",
    "Audio",
    "Client",
    "Context",
    "FastMCP",
    "FastMCPApp",
    "FastMCPDeprecationWarning",
    "File",
    "Icon",
    "Image",
    "InputRequiredResult",
    "McpError",
    "Message",
    "PromptError",
    "PromptResult",
    "RequestStateSecurity",
    "ResourceContent",
    "ResourceError",
    "ResourceResult",
    "ResourceSecurity",
    "Tool",
    "ToolError",
    "ToolResult",
    "UserMessage",
    "__version__",
    "get_context",
    "lifespan",
]


def __getattr__(name: str) -> object:
    # SDK v1's `from mcp.server.fastmcp import Icon`, imported only when asked for.
    if name == "Icon":
        from ._sdk_types import sdk_type

        return sdk_type("Icon")
    # The client needs the official SDK (the `client` extra); servers never import it.
    if name == "Client":
        from .client import Client

        return Client
    if name == "FastMCPApp":
        from .apps.app import FastMCPApp

        return FastMCPApp
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
