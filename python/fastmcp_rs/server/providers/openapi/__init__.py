"""``fastmcp.server.providers.openapi``: an API described by an OpenAPI document, served as MCP components
(``OpenAPIProvider``; ``FastMCP.from_openapi`` and ``FastMCP.from_fastapi`` make a server of one)."""

from .components import OpenAPIResource, OpenAPIResourceTemplate, OpenAPITool
from .provider import OpenAPIProvider
from .routing import ComponentFn, MCPType, RouteMap, RouteMapFn

__all__ = [
    "ComponentFn",
    "MCPType",
    "OpenAPIProvider",
    "OpenAPIResource",
    "OpenAPIResourceTemplate",
    "OpenAPITool",
    "RouteMap",
    "RouteMapFn",
]
