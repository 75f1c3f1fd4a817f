"""``fastmcp.server.auth.providers.jwt``: authentication (jwt provider) is not supported by fastmcp-rs yet. The
names import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["JWKData", "JWKSData", "JWTVerifier", "RSAKeyPair", "StaticTokenVerifier"]

_FEATURE = "authentication (jwt provider)"

JWKData = stub("JWKData", _FEATURE, __name__)
JWKSData = stub("JWKSData", _FEATURE, __name__)
JWTVerifier = stub("JWTVerifier", _FEATURE, __name__)
RSAKeyPair = stub("RSAKeyPair", _FEATURE, __name__)
StaticTokenVerifier = stub("StaticTokenVerifier", _FEATURE, __name__)
