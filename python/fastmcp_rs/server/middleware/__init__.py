"""``fastmcp.server.middleware``: FastMCP 4's middleware API (``Middleware``, ``MiddlewareContext``,
``CallNext``). Subclasses run in Python around the requests they hook (see ``.middleware``); the rate limiters
run in the core."""

from .authorization import AuthMiddleware
from .middleware import CallNext, Middleware, MiddlewareContext
from .ping import PingMiddleware

__all__ = ["AuthMiddleware", "CallNext", "Middleware", "MiddlewareContext", "PingMiddleware"]
