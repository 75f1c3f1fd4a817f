"""``fastmcp.experimental``: FastMCP's experimental namespace. Here it holds FastMCP 2's import paths of
features that have left it (OpenAPI)."""

__all__: list[str] = []
