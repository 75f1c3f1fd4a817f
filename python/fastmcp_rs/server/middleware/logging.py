"""``fastmcp.server.middleware.logging``: middleware is not supported by fastmcp-rs yet. The names import; using
them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["BaseLoggingMiddleware", "LoggingMiddleware", "StructuredLoggingMiddleware"]

_FEATURE = "middleware"

BaseLoggingMiddleware = stub("BaseLoggingMiddleware", _FEATURE, __name__)
LoggingMiddleware = stub("LoggingMiddleware", _FEATURE, __name__)
StructuredLoggingMiddleware = stub("StructuredLoggingMiddleware", _FEATURE, __name__)
