"""``fastmcp.server.providers.openapi.routing``: OpenAPI servers is not supported by fastmcp-rs yet. The names
import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["ComponentFn", "MCPType", "RouteMap", "RouteMapFn"]

_FEATURE = "OpenAPI servers"

ComponentFn = stub("ComponentFn", _FEATURE, __name__)
MCPType = stub("MCPType", _FEATURE, __name__)
RouteMap = stub("RouteMap", _FEATURE, __name__)
RouteMapFn = stub("RouteMapFn", _FEATURE, __name__)
