"""``fastmcp.server.auth.oauth_proxy``: ``OAuthProxy``, an authorization server for MCP clients in front of an
identity provider without dynamic client registration."""

from .proxy import OAuthProxy

__all__ = ["OAuthProxy"]
