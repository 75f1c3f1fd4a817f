"""``fastmcp.server.auth.jwt_issuer``: authentication is not supported by fastmcp-rs yet. The names import; using
them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["JWTIssuer", "derive_jwt_key"]

_FEATURE = "authentication"

JWTIssuer = stub("JWTIssuer", _FEATURE, __name__)
derive_jwt_key = stub("derive_jwt_key", _FEATURE, __name__)
