"""``fastmcp.experimental.server.openapi`` (FastMCP 2.11-2.13, deprecated since): the OpenAPI server names,
from ``fastmcp.server.providers.openapi``."""

import warnings

from fastmcp_rs.server.openapi import (
    DEFAULT_ROUTE_MAPPINGS,
    ComponentFn,
    FastMCPOpenAPI,
    MCPType,
    OpenAPIResource,
    OpenAPIResourceTemplate,
    OpenAPITool,
    RouteMap,
    RouteMapFn,
    _determine_route_type,
)

warnings.warn(
    "Importing from fastmcp.experimental.server.openapi is deprecated. Import from "
    "fastmcp.server.providers.openapi instead.",
    DeprecationWarning,
    stacklevel=2,
)

__all__ = [
    "DEFAULT_ROUTE_MAPPINGS",
    "ComponentFn",
    "FastMCPOpenAPI",
    "MCPType",
    "OpenAPIResource",
    "OpenAPIResourceTemplate",
    "OpenAPITool",
    "RouteMap",
    "RouteMapFn",
    "_determine_route_type",
]
