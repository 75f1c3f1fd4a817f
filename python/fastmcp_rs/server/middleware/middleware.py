"""``fastmcp.server.middleware.middleware``: middleware is not supported by fastmcp-rs yet. The names import;
using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["CallNext", "Middleware", "MiddlewareContext"]

_FEATURE = "middleware"

CallNext = stub("CallNext", _FEATURE, __name__)
Middleware = stub("Middleware", _FEATURE, __name__)
MiddlewareContext = stub("MiddlewareContext", _FEATURE, __name__)
