"""``fastmcp.server.providers.base``: providers is not supported by fastmcp-rs yet. The names import; using them
raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["Provider"]

_FEATURE = "providers"

Provider = stub("Provider", _FEATURE, __name__)
