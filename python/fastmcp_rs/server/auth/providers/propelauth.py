"""``fastmcp.server.auth.providers.propelauth``: authentication (propelauth provider) is not supported by
fastmcp-rs yet. The names import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["PropelAuthProvider", "PropelAuthTokenIntrospectionOverrides"]

_FEATURE = "authentication (propelauth provider)"

PropelAuthProvider = stub("PropelAuthProvider", _FEATURE, __name__)
PropelAuthTokenIntrospectionOverrides = stub("PropelAuthTokenIntrospectionOverrides", _FEATURE, __name__)
