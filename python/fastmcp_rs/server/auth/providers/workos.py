"""``fastmcp.server.auth.providers.workos``: authentication (workos provider) is not supported by fastmcp-rs yet.
The names import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["AuthKitProvider", "WorkOSProvider", "WorkOSTokenVerifier"]

_FEATURE = "authentication (workos provider)"

AuthKitProvider = stub("AuthKitProvider", _FEATURE, __name__)
WorkOSProvider = stub("WorkOSProvider", _FEATURE, __name__)
WorkOSTokenVerifier = stub("WorkOSTokenVerifier", _FEATURE, __name__)
