"""``fastmcp.server.auth.providers.descope``: authentication (descope provider) is not supported by fastmcp-rs
yet. The names import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["DescopeProvider"]

_FEATURE = "authentication (descope provider)"

DescopeProvider = stub("DescopeProvider", _FEATURE, __name__)
