"""``fastmcp.server.providers.fastmcp_provider``: ``FastMCPProvider(server)``, a server's components as a
provider's (what ``mount()`` makes): ``parent.add_provider(FastMCPProvider(child), namespace=...)`` serves
``child`` as ``parent.mount(child, namespace=...)`` does, live, its middleware and lifespan included.

``FastMCPProviderTool``, ``FastMCPProviderResource``, ``FastMCPProviderResourceTemplate`` and
``FastMCPProviderPrompt`` are FastMCP 4's wrappers of another server's components (``.wrap(server,
component)``): served anywhere, each call, read or render goes to that server (``server.call_tool()`` ...),
its middleware included. A mounted server's components are listed here as its own, not as these."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Any

from ...prompts.base import Prompt
from ...resources.base import Resource
from ...resources.template import ResourceTemplate
from ...tools.base import Tool
from .base import Provider

__all__ = [
    "FastMCPProvider",
    "FastMCPProviderPrompt",
    "FastMCPProviderResource",
    "FastMCPProviderResourceTemplate",
    "FastMCPProviderTool",
]


class FastMCPProvider(Provider):
    """A server's components, served where the provider is added (see the module's documentation)."""

    def __init__(self, server: Any) -> None:
        super().__init__()
        self.server = server
        self._fastmcp_rs_server = server

    def __repr__(self) -> str:
        return f"FastMCPProvider(server={self.server!r})"

    async def _list_tools(self) -> Sequence[Any]:
        return await self.server.list_tools()

    async def _list_resources(self) -> Sequence[Any]:
        return await self.server.list_resources()

    async def _list_resource_templates(self) -> Sequence[Any]:
        return await self.server.list_resource_templates()

    async def _list_prompts(self) -> Sequence[Any]:
        return await self.server.list_prompts()


def _version_of(component: Any) -> Any:
    return None if component.version is None else str(component.version)


@dataclasses.dataclass(kw_only=True, eq=False)
class FastMCPProviderTool(Tool):
    """A tool whose calls go to ``server.call_tool(original_name, ...)``."""

    server: Any = dataclasses.field(default=None, repr=False)
    original_name: str | None = None

    @classmethod
    def wrap(cls, server: Any, tool: Tool) -> FastMCPProviderTool:
        return cls(
            server=server,
            original_name=tool.name,
            name=tool.name,
            version=tool.version,
            title=tool.title,
            description=tool.description,
            parameters=tool.parameters,
            output_schema=tool.output_schema,
            annotations=tool.annotations,
            tags=set(tool.tags),
            meta=tool.meta,
            icons=tool.icons,
        )

    async def run(self, arguments: dict[str, Any]) -> Any:
        return await self.server.call_tool(self.original_name or self.name, arguments, version=_version_of(self))


@dataclasses.dataclass(kw_only=True, eq=False)
class FastMCPProviderResource(Resource):
    """A resource whose reads go to ``server.read_resource(original_uri)``."""

    original_uri: str | None = None
    #: The server that serves the wrapped component (``server`` becomes the one this is added to).
    delegate: Any = dataclasses.field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.delegate is None:
            self.delegate = self.server
        super().__post_init__()

    @classmethod
    def wrap(cls, server: Any, resource: Resource) -> FastMCPProviderResource:
        return cls(
            server=server,
            original_uri=str(resource.uri),
            uri=str(resource.uri),
            version=resource.version,
            name=resource.name,
            title=resource.title,
            description=resource.description,
            mime_type=resource.mime_type,
            tags=set(resource.tags),
            annotations=resource.annotations,
            meta=resource.meta,
            icons=resource.icons,
        )

    async def read(self) -> Any:
        return await self.delegate.read_resource(self.original_uri or self.uri, version=_version_of(self))


_EXPRESSION = re.compile(r"\{([?&]?)([^}]+)\}")


def _expand(template: str, params: dict[str, Any]) -> str:
    """The URI ``template`` names with ``params`` filled in (path parameters, ``{name*}``, ``{?a,b}``)."""
    from urllib.parse import quote, urlencode

    def fill(match: re.Match[str]) -> str:
        operator, names = match.group(1), [n.rstrip("*") for n in match.group(2).split(",")]
        if operator:
            given = {n: params[n] for n in names if params.get(n) is not None}
            return ("?" if operator == "?" else "&") + urlencode(given) if given else ""
        return ",".join(quote(str(params.get(n, "")), safe="/") for n in names)

    return _EXPRESSION.sub(fill, template)


@dataclasses.dataclass(kw_only=True, eq=False)
class FastMCPProviderResourceTemplate(ResourceTemplate):
    """A template whose reads go to ``server.read_resource()`` with its original URI template filled in."""

    original_uri_template: str | None = None
    #: The server that serves the wrapped component (``server`` becomes the one this is added to).
    delegate: Any = dataclasses.field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.delegate is None:
            self.delegate = self.server
        super().__post_init__()

    @classmethod
    def wrap(cls, server: Any, template: ResourceTemplate) -> FastMCPProviderResourceTemplate:
        return cls(
            server=server,
            original_uri_template=template.uri_template,
            uri_template=template.uri_template,
            version=template.version,
            name=template.name,
            title=template.title,
            description=template.description,
            mime_type=template.mime_type,
            parameters=template.parameters,
            tags=set(template.tags),
            annotations=template.annotations,
            meta=template.meta,
            icons=template.icons,
            security=template.security,
        )

    async def read(self, arguments: dict[str, Any]) -> Any:
        uri = _expand(self.original_uri_template or self.uri_template, arguments)
        return await self.delegate.read_resource(uri, version=_version_of(self))


@dataclasses.dataclass(kw_only=True, eq=False)
class FastMCPProviderPrompt(Prompt):
    """A prompt whose renders go to ``server.render_prompt(original_name, ...)``."""

    original_name: str | None = None
    #: The server that serves the wrapped component (``server`` becomes the one this is added to).
    delegate: Any = dataclasses.field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.delegate is None:
            self.delegate = self.server
        super().__post_init__()

    @classmethod
    def wrap(cls, server: Any, prompt: Prompt) -> FastMCPProviderPrompt:
        return cls(
            server=server,
            original_name=prompt.name,
            name=prompt.name,
            version=prompt.version,
            title=prompt.title,
            description=prompt.description,
            arguments=list(prompt.arguments),
            tags=set(prompt.tags),
            meta=prompt.meta,
            icons=prompt.icons,
        )

    async def render(self, arguments: dict[str, Any] | None = None) -> Any:
        return await self.delegate.render_prompt(
            self.original_name or self.name, arguments or {}, version=_version_of(self)
        )
