"""``fastmcp.server.openapi``: FastMCP 2/3's place for OpenAPI servers (``FastMCPOpenAPI``, ``RouteMap``,
``MCPType``...). Deprecated there and here: import from ``fastmcp.server.providers.openapi``."""

import warnings

from ..providers.openapi import (
    ComponentFn,
    MCPType,
    OpenAPIProvider,
    OpenAPIResource,
    OpenAPIResourceTemplate,
    OpenAPITool,
    RouteMap,
    RouteMapFn,
)
from ..providers.openapi.routing import DEFAULT_ROUTE_MAPPINGS
from ..providers.openapi.routing import determine_route_type as _determine_route_type
from .server import FastMCPOpenAPI

warnings.warn(
    "fastmcp.server.openapi is deprecated. Import from fastmcp.server.providers.openapi instead.",
    DeprecationWarning,
    stacklevel=2,
)

#: FastMCP 2's first name for ``MCPType``.
RouteType = MCPType

__all__ = [
    "DEFAULT_ROUTE_MAPPINGS",
    "ComponentFn",
    "FastMCPOpenAPI",
    "MCPType",
    "OpenAPIProvider",
    "OpenAPIResource",
    "OpenAPIResourceTemplate",
    "OpenAPITool",
    "RouteMap",
    "RouteMapFn",
    "RouteType",
    "_determine_route_type",
]
