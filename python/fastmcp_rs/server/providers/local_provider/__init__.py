"""``fastmcp.server.providers.local_provider``: ``LocalProvider``, components registered in Python (what a
server's own decorators fill), shareable between servers."""

from .local_provider import LocalProvider

__all__ = ["LocalProvider"]
