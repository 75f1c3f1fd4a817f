"""``fastmcp.client.auth.bearer``: ``BearerAuth(token)`` sends ``Authorization: Bearer <token>``."""

from fastmcp_rs.client.transports import BearerAuth

__all__ = ["BearerAuth"]
