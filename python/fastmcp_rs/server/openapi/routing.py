"""``fastmcp.server.openapi.routing`` (FastMCP 2/3): see ``fastmcp.server.providers.openapi.routing``."""

from ..providers.openapi.routing import DEFAULT_ROUTE_MAPPINGS, ComponentFn, MCPType, RouteMap, RouteMapFn
from ..providers.openapi.routing import determine_route_type as _determine_route_type

__all__ = ["DEFAULT_ROUTE_MAPPINGS", "ComponentFn", "MCPType", "RouteMap", "RouteMapFn", "_determine_route_type"]
