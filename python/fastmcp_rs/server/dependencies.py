"""``fastmcp.server.dependencies``: find the current request from anywhere inside a call — its ``Context``,
HTTP headers and request, the server. ``CurrentContext()`` as a parameter default receives the ``Context``;
the other dependency-injection markers are not supported yet."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._context import CurrentContext, _current_handle, _HttpRequest, _serving, get_context
from .._unsupported import stub

if TYPE_CHECKING:
    from .server import FastMCP

__all__ = [
    "AccessToken",
    "CurrentAccessToken",
    "CurrentContext",
    "CurrentFastMCP",
    "CurrentHeaders",
    "CurrentRequest",
    "FastMCPRequestContext",
    "Progress",
    "TokenClaim",
    "bind_request_context",
    "extract_version_spec",
    "fastmcp_request_ctx",
    "get_access_token",
    "get_context",
    "get_http_headers",
    "get_http_request",
    "get_server",
    "get_session",
    "is_docket_available",
    "resolve_dependencies",
    "transform_context_annotations",
    "without_injected_parameters",
]

#: Left out of ``get_http_headers()`` unless asked for (as FastMCP leaves them out).
_EXCLUDED = frozenset(
    {
        "host",
        "content-length",
        "content-type",
        "connection",
        "transfer-encoding",
        "upgrade",
        "te",
        "keep-alive",
        "expect",
        "accept",
        "authorization",
        "cookie",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "mcp-session-id",
    }
)


def get_http_headers(include_all: bool = False, include: set[str] | None = None) -> dict[str, str]:
    """The current HTTP request's headers (names in lower case), without the hop-by-hop and credential ones
    unless ``include_all`` or ``include`` asks for them. ``{}`` outside HTTP."""
    handle = _current_handle()
    headers = handle.headers if handle is not None else None
    if not headers:
        return {}
    if include_all:
        return dict(headers)
    keep = {h.lower() for h in include or ()}
    return {k: v for k, v in headers.items() if k not in _EXCLUDED or k in keep}


def get_http_request() -> Any:
    """The current HTTP request (its ``headers``); raises outside HTTP."""
    handle = _current_handle()
    headers = handle.headers if handle is not None else None
    if headers is None:
        raise RuntimeError("No active HTTP request found.")
    return _HttpRequest(headers)


def get_server() -> FastMCP:
    """The server that is serving."""
    if not _serving:
        raise RuntimeError("No FastMCP server instance in context")
    return _serving[-1]


def get_session() -> Any:
    """The current request's session (``ctx.session``)."""
    return get_context().session


def get_access_token() -> Any:
    """The caller's verified bearer token (an ``AccessToken``), or ``None``: no auth provider, stdio, or
    outside a request."""
    handle = _current_handle()
    token = handle.access_token if handle is not None else None
    if token is None:
        return None
    from .auth.auth import AccessToken

    return AccessToken(**token)


def is_docket_available() -> bool:
    """Background tasks (docket) are not available in fastmcp-rs."""
    return False


AccessToken = stub("AccessToken", "dependency injection", __name__)
CurrentAccessToken = stub("CurrentAccessToken", "dependency injection", __name__)
CurrentFastMCP = stub("CurrentFastMCP", "dependency injection", __name__)
CurrentHeaders = stub("CurrentHeaders", "dependency injection", __name__)
CurrentRequest = stub("CurrentRequest", "dependency injection", __name__)
FastMCPRequestContext = stub("FastMCPRequestContext", "dependency injection", __name__)
Progress = stub("Progress", "dependency injection", __name__)
TokenClaim = stub("TokenClaim", "dependency injection", __name__)
bind_request_context = stub("bind_request_context", "dependency injection", __name__)
extract_version_spec = stub("extract_version_spec", "dependency injection", __name__)
fastmcp_request_ctx = stub("fastmcp_request_ctx", "dependency injection", __name__)
resolve_dependencies = stub("resolve_dependencies", "dependency injection", __name__)
transform_context_annotations = stub("transform_context_annotations", "dependency injection", __name__)
without_injected_parameters = stub("without_injected_parameters", "dependency injection", __name__)
