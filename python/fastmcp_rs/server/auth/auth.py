"""``fastmcp.server.auth.auth``: authentication is not supported by fastmcp-rs yet. The names import; using them
raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = [
    "AccessToken",
    "AuthProvider",
    "MultiAuth",
    "OAuthProvider",
    "PrivateKeyJWTClientAuthenticator",
    "RemoteAuthProvider",
    "TokenHandler",
    "TokenVerificationError",
    "TokenVerifier",
]

_FEATURE = "authentication"

AccessToken = stub("AccessToken", _FEATURE, __name__)
AuthProvider = stub("AuthProvider", _FEATURE, __name__)
MultiAuth = stub("MultiAuth", _FEATURE, __name__)
OAuthProvider = stub("OAuthProvider", _FEATURE, __name__)
PrivateKeyJWTClientAuthenticator = stub("PrivateKeyJWTClientAuthenticator", _FEATURE, __name__)
RemoteAuthProvider = stub("RemoteAuthProvider", _FEATURE, __name__)
TokenHandler = stub("TokenHandler", _FEATURE, __name__)
TokenVerificationError = stub("TokenVerificationError", _FEATURE, __name__)
TokenVerifier = stub("TokenVerifier", _FEATURE, __name__)
