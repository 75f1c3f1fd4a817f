"""``fastmcp.experimental.server``."""

__all__: list[str] = []
