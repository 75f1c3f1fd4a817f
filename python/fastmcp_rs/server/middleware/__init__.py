"""``fastmcp.server.middleware``: middleware is not supported by fastmcp-rs yet. The names import; using them
raises ``NotImplementedError``."""

from .authorization import AuthMiddleware
from .middleware import CallNext, Middleware, MiddlewareContext
from .ping import PingMiddleware

__all__ = ["AuthMiddleware", "CallNext", "Middleware", "MiddlewareContext", "PingMiddleware"]
