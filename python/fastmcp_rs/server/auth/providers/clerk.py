"""``fastmcp.server.auth.providers.clerk``: authentication (clerk provider) is not supported by fastmcp-rs yet.
The names import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["ClerkProvider", "ClerkTokenVerifier"]

_FEATURE = "authentication (clerk provider)"

ClerkProvider = stub("ClerkProvider", _FEATURE, __name__)
ClerkTokenVerifier = stub("ClerkTokenVerifier", _FEATURE, __name__)
