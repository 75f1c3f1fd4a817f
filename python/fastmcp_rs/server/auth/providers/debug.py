"""``fastmcp.server.auth.providers.debug``: authentication (debug provider) is not supported by fastmcp-rs yet.
The names import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["DebugTokenVerifier"]

_FEATURE = "authentication (debug provider)"

DebugTokenVerifier = stub("DebugTokenVerifier", _FEATURE, __name__)
