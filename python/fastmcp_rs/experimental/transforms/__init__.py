"""``fastmcp.experimental.transforms``: ``CodeMode`` (``code_mode``)."""

__all__: list[str] = []
