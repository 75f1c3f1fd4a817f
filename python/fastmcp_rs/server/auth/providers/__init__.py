"""``fastmcp.server.auth.providers``: one module per identity provider (``providers.jwt``, ``providers.github``,
...); none is supported yet."""

__all__ = []
