"""``fastmcp.server.auth.oauth_proxy.proxy``: authentication is not supported by fastmcp-rs yet. The names
import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["OAuthProxy"]

_FEATURE = "authentication"

OAuthProxy = stub("OAuthProxy", _FEATURE, __name__)
