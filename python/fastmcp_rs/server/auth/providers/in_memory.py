"""``fastmcp.server.auth.providers.in_memory``: authentication (in_memory provider) is not supported by fastmcp-
rs yet. The names import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["InMemoryOAuthProvider"]

_FEATURE = "authentication (in_memory provider)"

InMemoryOAuthProvider = stub("InMemoryOAuthProvider", _FEATURE, __name__)
