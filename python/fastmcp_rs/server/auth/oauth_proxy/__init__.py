"""``fastmcp.server.auth.oauth_proxy``: authentication is not supported by fastmcp-rs yet. The names import;
using them raises ``NotImplementedError``."""

from .proxy import OAuthProxy

__all__ = ["OAuthProxy"]
