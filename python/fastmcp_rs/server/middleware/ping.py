"""``fastmcp.server.middleware.ping``: middleware is not supported by fastmcp-rs yet. The names import; using
them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["PingMiddleware"]

_FEATURE = "middleware"

PingMiddleware = stub("PingMiddleware", _FEATURE, __name__)
