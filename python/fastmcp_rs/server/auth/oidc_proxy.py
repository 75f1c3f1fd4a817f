"""``fastmcp.server.auth.oidc_proxy``: authentication is not supported by fastmcp-rs yet. The names import; using
them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["OIDCConfiguration", "OIDCProxy"]

_FEATURE = "authentication"

OIDCConfiguration = stub("OIDCConfiguration", _FEATURE, __name__)
OIDCProxy = stub("OIDCProxy", _FEATURE, __name__)
