"""``fastmcp.server.auth.providers.google``: authentication (google provider) is not supported by fastmcp-rs yet.
The names import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["GoogleProvider", "GoogleTokenVerifier"]

_FEATURE = "authentication (google provider)"

GoogleProvider = stub("GoogleProvider", _FEATURE, __name__)
GoogleTokenVerifier = stub("GoogleTokenVerifier", _FEATURE, __name__)
