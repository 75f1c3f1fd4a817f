"""The old ``fastmcp_rs.context`` path (FastMCP's is ``fastmcp_rs.server.context``)."""

from ._context import Context, CurrentContext, get_context

__all__ = ["Context", "CurrentContext", "get_context"]
