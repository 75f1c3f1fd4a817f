"""``fastmcp.server.providers.openapi``: OpenAPI servers is not supported by fastmcp-rs yet. The names import;
using them raises ``NotImplementedError``."""

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
