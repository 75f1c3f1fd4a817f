"""Helpers users import from ``fastmcp.utilities`` in FastMCP."""
