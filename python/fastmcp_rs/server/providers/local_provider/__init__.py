"""``fastmcp.server.providers.local_provider``: providers is not supported by fastmcp-rs yet. The names import;
using them raises ``NotImplementedError``."""

from .local_provider import LocalProvider

__all__ = ["LocalProvider"]
