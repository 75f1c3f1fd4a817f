"""Helpers users import from ``fastmcp.utilities`` in FastMCP."""

__all__: list[str] = []
