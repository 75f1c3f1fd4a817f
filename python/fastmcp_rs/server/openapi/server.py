"""``fastmcp.server.openapi.server``: ``FastMCPOpenAPI``, FastMCP 2/3's server class for an OpenAPI document
(deprecated there: ``FastMCP.from_openapi`` or ``OpenAPIProvider`` say the same)."""

from __future__ import annotations

import warnings
from typing import Any

from ..providers.openapi import ComponentFn, OpenAPIProvider, RouteMap, RouteMapFn
from ..server import FastMCP

__all__ = ["FastMCPOpenAPI"]


class FastMCPOpenAPI(FastMCP):
    """A server of the API ``openapi_spec`` describes: ``FastMCP(name, providers=[OpenAPIProvider(...)])``.
    ``timeout`` (FastMCP 2's) becomes the client's timeout."""

    def __init__(
        self,
        openapi_spec: dict[str, Any],
        client: Any = None,
        name: str | None = None,
        route_maps: list[RouteMap] | None = None,
        route_map_fn: RouteMapFn | None = None,
        mcp_component_fn: ComponentFn | None = None,
        mcp_names: dict[str, str] | None = None,
        tags: set[str] | None = None,
        timeout: float | None = None,
        **settings: Any,
    ) -> None:
        warnings.warn(
            "FastMCPOpenAPI is deprecated. Use FastMCP with OpenAPIProvider instead:\n"
            "    provider = OpenAPIProvider(openapi_spec=spec, client=client)\n"
            "    mcp = FastMCP('name', providers=[provider])",
            DeprecationWarning,
            stacklevel=2,
        )
        super().__init__(name=name or "OpenAPI FastMCP", **settings)
        provider = OpenAPIProvider(
            openapi_spec=openapi_spec,
            client=client,
            route_maps=route_maps,
            route_map_fn=route_map_fn,
            mcp_component_fn=mcp_component_fn,
            mcp_names=mcp_names,
            tags=tags,
        )
        if timeout is not None:
            import httpx

            provider._client.timeout = httpx.Timeout(timeout)
        self._client = provider._client
        self._director = provider._director
        self.add_provider(provider)
