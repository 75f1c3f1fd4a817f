"""Exceptions users raise from tools (same names as ``fastmcp.exceptions``)."""

from __future__ import annotations

__all__ = [
    "DisabledError",
    "FastMCPError",
    "McpError",
    "NotFoundError",
    "PromptError",
    "ResourceError",
    "ToolError",
    "ValidationError",
]


class FastMCPError(Exception):
    """Base class of the errors whose text is shown to the client as it is."""


class ToolError(FastMCPError):
    """Raised by a tool: the client sees ``isError: true`` with exactly this message."""


class ValidationError(FastMCPError):
    """Arguments or parameters did not validate."""


class ResourceError(FastMCPError):
    """A resource could not be read."""


class PromptError(FastMCPError):
    """A prompt could not be rendered."""


class NotFoundError(FastMCPError):
    """The named tool, resource or prompt does not exist."""


class DisabledError(FastMCPError):
    """The component exists but is disabled."""


class McpError(Exception):
    """Answered as a JSON-RPC error with exactly this code, message and data (from resources, prompts and
    completions), or raised inside a tool when the client answered a server request with an error."""

    def __init__(self, message: str, code: int = -32603, data: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.data = data
