"""``fastmcp.experimental.utilities``."""

__all__: list[str] = []
