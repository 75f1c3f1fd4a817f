"""``fastmcp.server.context``: the ``Context`` injected into tools, resources and prompts."""

from .._context import Context, get_context

__all__ = ["Context", "get_context"]
