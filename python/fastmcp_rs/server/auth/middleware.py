"""``fastmcp.server.auth.middleware``: authentication is not supported by fastmcp-rs yet. The names import; using
them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["RequireAuthMiddleware"]

_FEATURE = "authentication"

RequireAuthMiddleware = stub("RequireAuthMiddleware", _FEATURE, __name__)
