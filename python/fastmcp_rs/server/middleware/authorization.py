"""``fastmcp.server.middleware.authorization``: authorization middleware is not supported by fastmcp-rs yet. The
names import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["AuthMiddleware"]

_FEATURE = "authorization middleware"

AuthMiddleware = stub("AuthMiddleware", _FEATURE, __name__)
