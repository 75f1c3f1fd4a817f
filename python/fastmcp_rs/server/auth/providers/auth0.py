"""``fastmcp.server.auth.providers.auth0``: authentication (auth0 provider) is not supported by fastmcp-rs yet.
The names import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["Auth0JWTVerifier", "Auth0MCPProvider", "Auth0Provider"]

_FEATURE = "authentication (auth0 provider)"

Auth0JWTVerifier = stub("Auth0JWTVerifier", _FEATURE, __name__)
Auth0MCPProvider = stub("Auth0MCPProvider", _FEATURE, __name__)
Auth0Provider = stub("Auth0Provider", _FEATURE, __name__)
