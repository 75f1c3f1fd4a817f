"""FastMCP 4's client: ``from fastmcp_rs import Client`` / ``from fastmcp_rs.client import Client``.

Built on the official ``mcp`` package (``pip install mcp``), which it needs at import time.
"""

from __future__ import annotations

from typing import Any

from .client import CallToolResult, Client, ClientMcpError
from .transports import (
    BearerAuth,
    ClientTransport,
    FastMCPTransport,
    NodeStdioTransport,
    PythonStdioTransport,
    SSETransport,
    StdioTransport,
    StreamableHttpTransport,
    infer_transport,
)

__all__ = [
    "BearerAuth",
    "CallToolResult",
    "Client",
    "ClientMcpError",
    "ClientTransport",
    "FastMCPTransport",
    "NodeStdioTransport",
    "PythonStdioTransport",
    "SSETransport",
    "StdioTransport",
    "StreamableHttpTransport",
    "infer_transport",
    "test_client",
]


def test_client(server: Any, **kwargs: Any) -> Client[FastMCPTransport]:
    """An in-memory client of ``server``: ``async with test_client(mcp) as client: ...``
    (what ``FastMCP.test_client(**kwargs)`` returns)."""
    return Client(FastMCPTransport(server), **kwargs)


test_client.__test__ = False  # type: ignore[attr-defined]  # not a pytest test when imported into a test module
