"""Helpers that find the current request from anywhere inside a call (``fastmcp.server.dependencies``)."""

from __future__ import annotations

from typing import Any

from .context import _current_handle, get_context

__all__ = ["get_context", "get_http_headers", "get_http_request"]

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


class _HttpRequest:
    """The HTTP request a call belongs to, as far as server code needs it: its headers."""

    __slots__ = ("headers",)

    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = headers

    def __repr__(self) -> str:
        return f"HttpRequest(headers={self.headers!r})"


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
