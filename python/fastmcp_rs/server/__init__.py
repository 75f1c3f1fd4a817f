"""``fastmcp.server``: ``FastMCP`` and its ``Context``. The submodules (``middleware``, ``auth``,
``transforms``, ``providers``, ...) are imported only when asked for."""

from .._context import Context
from .server import FastMCP, create_proxy

__all__ = ["Context", "FastMCP", "create_proxy"]
