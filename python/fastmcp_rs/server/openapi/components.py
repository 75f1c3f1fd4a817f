"""``fastmcp.server.openapi.components`` (FastMCP 2/3): see ``fastmcp.server.providers.openapi.components``."""

from ..providers.openapi.components import OpenAPIResource, OpenAPIResourceTemplate, OpenAPITool

__all__ = ["OpenAPIResource", "OpenAPIResourceTemplate", "OpenAPITool"]
