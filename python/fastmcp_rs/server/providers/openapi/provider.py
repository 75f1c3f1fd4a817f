"""``fastmcp.server.providers.openapi.provider``: ``OpenAPIProvider``, an API's operations as MCP components.

Every operation of the document becomes a tool, a resource, a resource template or nothing, by the route maps
(``routing``). Names, as FastMCP 4 makes them: ``mcp_names[operationId]``, else the operationId up to its
first ``__``, else the summary, else ``<METHOD>_<path>``; slugified, cut at 56 characters, and made unique
per kind with ``_2``, ``_3``... Resources are ``resource://<name>``, templates
``resource://<name>/{<path params, sorted>}``. Descriptions are the operation's description, else its
summary. Tags are the operation's, the route map's ``mcp_tags`` and the provider's ``tags``.

Requests go out through ``client`` (an ``httpx.AsyncClient`` or ``httpx2.AsyncClient``: its base URL,
headers, auth and timeouts apply). Without one, the provider makes one for the document's first server URL
(30 s timeout) and closes it when the server stops.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any, Literal

from ....utilities.openapi.director import RequestDirector
from ....utilities.openapi.models import HTTPRoute
from ....utilities.openapi.parser import parse_openapi_to_http_routes
from ....utilities.openapi.schemas import extract_output_schema_from_responses
from ..base import Provider
from .components import OpenAPIResource, OpenAPIResourceTemplate, OpenAPITool, mime_type_of, slugify
from .routing import DEFAULT_ROUTE_MAPPINGS, ComponentFn, MCPType, RouteMap, RouteMapFn, determine_route_type

__all__ = ["OpenAPIProvider"]

_log = logging.getLogger("fastmcp.server.providers.openapi.provider")
DEFAULT_TIMEOUT = 30.0
_Kind = Literal["tool", "resource", "resource_template", "prompt"]


def _default_client(spec: dict[str, Any]) -> Any:
    import httpx

    servers = spec.get("servers") or []
    if not servers or not isinstance(servers[0], dict) or not servers[0].get("url"):
        raise ValueError(
            "No server URL found in OpenAPI spec. Either add a 'servers' entry to the spec or provide an "
            "httpx.AsyncClient explicitly."
        )
    url = servers[0]["url"]
    for name, variable in (servers[0].get("variables") or {}).items():
        url = url.replace("{" + name + "}", str((variable or {}).get("default", "")))
    return httpx.AsyncClient(base_url=url, timeout=DEFAULT_TIMEOUT)


class OpenAPIProvider(Provider):
    """The operations of ``openapi_spec`` (a dict) as tools, resources and templates (see the module
    docstring). ``validate_output=False`` lists a permissive output schema instead of the response's."""

    def __init__(
        self,
        openapi_spec: dict[str, Any],
        client: Any = None,
        *,
        route_maps: list[RouteMap] | None = None,
        route_map_fn: RouteMapFn | None = None,
        mcp_component_fn: ComponentFn | None = None,
        mcp_names: dict[str, str] | None = None,
        tags: set[str] | None = None,
        validate_output: bool = True,
    ) -> None:
        super().__init__()
        self._owns_client = client is None
        self._client = _default_client(openapi_spec) if client is None else client
        self._mcp_component_fn = mcp_component_fn
        self._validate_output = validate_output
        self._used_names: dict[str, Counter[str]] = {
            k: Counter() for k in ("tool", "resource", "resource_template", "prompt")
        }
        self._tools: dict[str, OpenAPITool] = {}
        self._resources: dict[str, OpenAPIResource] = {}
        self._templates: dict[str, OpenAPIResourceTemplate] = {}
        self._director = RequestDirector(openapi_spec)
        maps = [*(route_maps or ()), *DEFAULT_ROUTE_MAPPINGS]
        for route in parse_openapi_to_http_routes(openapi_spec):
            route_map = determine_route_type(route, maps)
            kind = route_map.mcp_type
            if route_map_fn is not None:
                try:
                    chosen = route_map_fn(route, kind)
                    if chosen is not None:
                        kind = chosen
                except Exception as e:
                    _log.warning(
                        "Error in route_map_fn for %s %s: %s. Using default values.", route.method, route.path, e
                    )
            name = self._generate_default_name(route, mcp_names)
            route_tags = set(route.tags) | set(route_map.mcp_tags) | set(tags or ())
            if kind == MCPType.TOOL:
                self._create_openapi_tool(route, name, route_tags)
            elif kind == MCPType.RESOURCE:
                self._create_openapi_resource(route, name, route_tags)
            elif kind == MCPType.RESOURCE_TEMPLATE:
                self._create_openapi_template(route, name, route_tags)

    def __repr__(self) -> str:
        counts = f"tools={len(self._tools)}, resources={len(self._resources)}, templates={len(self._templates)}"
        return f"OpenAPIProvider({counts})"

    @asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        """Closes the client the provider made itself when the server stops."""
        if self._owns_client:
            async with self._client:
                yield
        else:
            yield

    # -- naming ------------------------------------------------------------------------------------------------

    def _generate_default_name(self, route: HTTPRoute, mcp_names_map: dict[str, str] | None = None) -> str:
        names = mcp_names_map or {}
        if route.operation_id:
            name = names.get(route.operation_id) or route.operation_id.split("__")[0]
        else:
            name = route.summary or f"{route.method}_{route.path}"
        name = slugify(name) or slugify(f"{route.method}_{route.path}")
        return name[:56]

    def _get_unique_name(self, name: str, component_type: _Kind) -> str:
        used = self._used_names[component_type]
        used[name] += 1
        if used[name] == 1:
            return name
        candidate = f"{name}_{used[name]}"
        while candidate in used:
            used[name] += 1
            candidate = f"{name}_{used[name]}"
        used[candidate] += 1
        return candidate

    def _customized(self, route: HTTPRoute, component: Any, what: str) -> None:
        if self._mcp_component_fn is not None:
            try:
                self._mcp_component_fn(route, component)
            except Exception as e:
                _log.warning("Error in component_fn for %s: %s", what, e)

    # -- components ------------------------------------------------------------------------------------------

    def _create_openapi_tool(self, route: HTTPRoute, name: str, tags: set[str]) -> None:
        output_schema = extract_output_schema_from_responses(
            route.responses, route.response_schemas, route.openapi_version
        )
        if not self._validate_output and output_schema is not None:
            permissive: dict[str, Any] = {"type": "object", "additionalProperties": True}
            if output_schema.get("x-fastmcp-wrap-result"):
                permissive["x-fastmcp-wrap-result"] = True
                permissive["properties"] = {"result": {}}
            output_schema = permissive
        tool = OpenAPITool(
            client=self._client,
            route=route,
            director=self._director,
            name=self._get_unique_name(name, "tool"),
            description=route.description or route.summary or f"Executes {route.method} {route.path}",
            parameters=route.flat_param_schema,
            output_schema=output_schema,
            tags=set(route.tags or ()) | tags,
        )
        self._customized(route, tool, f"tool {tool.name}")
        self._tools[tool.name] = tool

    def _create_openapi_resource(self, route: HTTPRoute, name: str, tags: set[str]) -> None:
        resource_name = self._get_unique_name(name, "resource")
        resource = OpenAPIResource(
            client=self._client,
            route=route,
            director=self._director,
            uri=f"resource://{resource_name}",
            name=resource_name,
            description=route.description or route.summary or f"Represents {route.path}",
            mime_type=mime_type_of(route),
            tags=set(route.tags or ()) | tags,
        )
        self._customized(route, resource, f"resource {resource.uri}")
        self._resources[str(resource.uri)] = resource

    def _create_openapi_template(self, route: HTTPRoute, name: str, tags: set[str]) -> None:
        template_name = self._get_unique_name(name, "resource_template")
        path_params = [p for p in route.parameters if p.location == "path"]
        uri = f"resource://{template_name}"
        if path_params:
            uri += "/" + "/".join("{" + n + "}" for n in sorted(p.name for p in path_params))
        properties = {}
        for p in path_params:
            schema = dict(p.schema_) if isinstance(p.schema_, dict) else {}
            if p.description and "description" not in schema:
                schema["description"] = p.description
            properties[p.name] = schema
        template = OpenAPIResourceTemplate(
            client=self._client,
            route=route,
            director=self._director,
            uri_template=uri,
            name=template_name,
            description=route.description or route.summary or f"Template for {route.path}",
            parameters={
                "type": "object",
                "properties": properties,
                "required": [p.name for p in path_params if p.required],
            },
            tags=set(route.tags or ()) | tags,
            mime_type=mime_type_of(route),
        )
        self._customized(route, template, f"template {uri}")
        self._templates[template.uri_template] = template

    # -- the provider ----------------------------------------------------------------------------------------

    async def _list_tools(self) -> Sequence[OpenAPITool]:
        return list(self._tools.values())

    async def _get_tool(self, name: str, version: Any = None) -> OpenAPITool | None:
        tool = self._tools.get(name)
        if tool is None or (version is not None and not version.matches(tool.version)):
            return None
        return tool

    async def _list_resources(self) -> Sequence[OpenAPIResource]:
        return list(self._resources.values())

    async def _get_resource(self, uri: str, version: Any = None) -> OpenAPIResource | None:
        resource = self._resources.get(uri)
        if resource is None or (version is not None and not version.matches(resource.version)):
            return None
        return resource

    async def _list_resource_templates(self) -> Sequence[OpenAPIResourceTemplate]:
        return list(self._templates.values())

    async def get_tasks(self) -> Sequence[Any]:
        return []
