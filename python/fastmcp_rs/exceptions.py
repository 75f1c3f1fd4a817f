"""Exceptions users raise from tools, resources and prompts (the names of ``fastmcp.exceptions``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "AuthorizationError",
    "ClientError",
    "DisabledError",
    "FastMCPDeprecationWarning",
    "FastMCPError",
    "InsufficientScopeError",
    "InvalidSignature",
    "MCPError",
    "McpError",
    "NotFoundError",
    "PromptError",
    "ResourceError",
    "ResourceSecurityError",
    "ToolError",
    "UrlElicitationRequiredError",
    "ValidationError",
    "to_mcp_error",
]

#: JSON-RPC codes used below (the MCP spec's).
_INVALID_PARAMS = -32602
_INTERNAL_ERROR = -32603
URL_ELICITATION_REQUIRED = -32042


class FastMCPDeprecationWarning(DeprecationWarning):
    """A spelling FastMCP 4 removed (or renamed) was used; it still works here."""


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


class ResourceSecurityError(NotFoundError):
    """A template parameter failed path screening (answered as a missing resource)."""


class AuthorizationError(FastMCPError):
    """An authorization check failed."""


class InsufficientScopeError(AuthorizationError):
    """Authorization failed because the token lacks ``required_scopes``."""

    def __init__(self, required_scopes: list[str], *, message: str | None = None) -> None:
        self.required_scopes = list(required_scopes)
        super().__init__(message or f"Insufficient scope. Required: {', '.join(self.required_scopes) or '(unknown)'}")


class InvalidSignature(Exception):
    """A function's signature cannot be used for a tool, resource or prompt."""


class ClientError(Exception):
    """A client operation failed."""


@dataclass(frozen=True)
class _ErrorData:
    code: int
    message: str
    data: Any = None


class McpError(Exception):
    """Answered as a JSON-RPC error with exactly this code, message and data (from resources, prompts and
    completions, and from tools for the codes that say the call cannot be served: -32042 URL elicitation
    required, -32021 missing client capability; any other from a tool is an ``isError`` result, as in
    FastMCP 4), or raised inside a tool when the client answered a server request with an error.

    Accepts every spelling: ``McpError("msg", code, data)``, ``MCPError(code=..., message=...)`` (SDK v2) and
    ``McpError(ErrorData(code=..., message=...))`` (SDK v1)."""

    def __init__(self, *args: Any, code: int | None = None, message: str | None = None, data: Any = None) -> None:
        first = args[0] if args else None
        if first is not None and hasattr(first, "code") and hasattr(first, "message"):  # an ErrorData
            code, message, data = first.code, first.message, getattr(first, "data", None)
        elif isinstance(first, int) and not isinstance(first, bool):  # MCPError(code, message, data)
            code = first
            message = args[1] if len(args) > 1 else message
            data = args[2] if len(args) > 2 else data
        elif args:
            message = str(first)
            code = args[1] if len(args) > 1 else code
            data = args[2] if len(args) > 2 else data
        super().__init__(message or "")
        self.message: str = message or ""
        self.code: int = _INTERNAL_ERROR if code is None else int(code)
        self.data = data

    @property
    def error(self) -> _ErrorData:
        """The SDK's view: ``.error.code``, ``.error.message``, ``.error.data``."""
        return _ErrorData(self.code, self.message, self.data)


MCPError = McpError


def _dump(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    return dict(value)


class UrlElicitationRequiredError(McpError):
    """Raised from a tool when the user must first complete URL elicitations (``ElicitRequestURLParams`` or
    dicts with ``mode``, ``message``, ``url``, ``elicitationId``): answered with JSON-RPC error -32042."""

    def __init__(self, elicitations: list[Any], message: str | None = None) -> None:
        self._elicitations = list(elicitations)
        if message is None:
            message = f"URL elicitation{'s' if len(self._elicitations) > 1 else ''} required"
        data = {"elicitations": [{"mode": "url", **_dump(e)} for e in self._elicitations]}
        super().__init__(message, URL_ELICITATION_REQUIRED, data)

    @property
    def elicitations(self) -> list[Any]:
        return self._elicitations


def to_mcp_error(exc: Exception, *, default_code: int = _INTERNAL_ERROR) -> McpError:
    """The JSON-RPC error for an exception: an ``McpError`` as it is; missing, disabled or invalid input as
    invalid params; anything else ``default_code``."""
    if isinstance(exc, McpError):
        return exc
    if isinstance(exc, (NotFoundError, DisabledError, ValidationError)):
        return McpError(str(exc), _INVALID_PARAMS)
    return McpError(str(exc), default_code)
