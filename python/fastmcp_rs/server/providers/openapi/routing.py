"""``fastmcp.server.providers.openapi.routing``: which MCP component an OpenAPI operation becomes.

The route maps are tried in order; the first whose ``methods``, ``pattern`` (a regular expression searched in
the path) and ``tags`` (all of them on the operation) match decides. An operation no map matches is a tool.
A ``route_map_fn(route, mcp_type)`` may change the decision (``None`` keeps it).
"""

from __future__ import annotations

import enum
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from re import Pattern
from typing import TYPE_CHECKING, Literal

from ....utilities.openapi.models import HttpMethod, HTTPRoute

if TYPE_CHECKING:
    from .components import OpenAPIResource, OpenAPIResourceTemplate, OpenAPITool

__all__ = ["DEFAULT_ROUTE_MAPPINGS", "ComponentFn", "MCPType", "RouteMap", "RouteMapFn"]

_log = logging.getLogger("fastmcp.server.providers.openapi.routing")

RouteMapFn = Callable[[HTTPRoute, "MCPType"], "MCPType | None"]
ComponentFn = Callable[[HTTPRoute, "OpenAPITool | OpenAPIResource | OpenAPIResourceTemplate"], None]


class MCPType(enum.Enum):
    """What an operation becomes: a tool, a resource, a resource template, or nothing (``EXCLUDE``)."""

    TOOL = "TOOL"
    RESOURCE = "RESOURCE"
    RESOURCE_TEMPLATE = "RESOURCE_TEMPLATE"
    EXCLUDE = "EXCLUDE"


@dataclass(kw_only=True)
class RouteMap:
    """Operations matching ``methods`` (or ``"*"``), ``pattern`` and every one of ``tags`` become
    ``mcp_type``, with ``mcp_tags`` added to their tags."""

    methods: list[HttpMethod] | Literal["*"] = field(default="*")
    pattern: Pattern[str] | str = field(default=r".*")
    tags: set[str] = field(default_factory=set)
    mcp_type: MCPType
    mcp_tags: set[str] = field(default_factory=set)

    def matches(self, route: HTTPRoute) -> bool:
        if self.methods != "*" and route.method not in self.methods:
            return False
        found = (
            self.pattern.search(route.path)
            if isinstance(self.pattern, Pattern)
            else re.search(self.pattern, route.path)
        )
        if not found:
            return False
        return not self.tags or set(self.tags) <= set(route.tags or ())


DEFAULT_ROUTE_MAPPINGS = [RouteMap(mcp_type=MCPType.TOOL)]


def determine_route_type(route: HTTPRoute, mappings: list[RouteMap]) -> RouteMap:
    """The first of ``mappings`` that matches ``route`` (a tool map when none does)."""
    for route_map in mappings:
        if route_map.matches(route):
            _log.debug("Route %s %s mapped to %s", route.method, route.path, route_map.mcp_type.name)
            return route_map
    return RouteMap(mcp_type=MCPType.TOOL)
