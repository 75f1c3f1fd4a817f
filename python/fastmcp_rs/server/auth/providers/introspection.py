"""``fastmcp.server.auth.providers.introspection``: authentication (introspection provider) is not supported by
fastmcp-rs yet. The names import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["IntrospectionTokenVerifier"]

_FEATURE = "authentication (introspection provider)"

IntrospectionTokenVerifier = stub("IntrospectionTokenVerifier", _FEATURE, __name__)
