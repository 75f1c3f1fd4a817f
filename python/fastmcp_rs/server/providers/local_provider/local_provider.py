"""``fastmcp.server.providers.local_provider.local_provider``: providers is not supported by fastmcp-rs yet. The
names import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["LocalProvider"]

_FEATURE = "providers"

LocalProvider = stub("LocalProvider", _FEATURE, __name__)
