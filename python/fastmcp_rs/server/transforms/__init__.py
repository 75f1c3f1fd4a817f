"""``fastmcp.server.transforms``: what changes the components a server lists and serves, as FastMCP 4 has it.

The built-in transforms (``Namespace``, ``ToolTransform``, ``Visibility``, ``VersionFilter``,
``PromptsAsTools``, ``ResourcesAsTools`` and the search transforms) are applied by the core as components are
registered, so they cost nothing per request.

A transform of your own subclasses ``Transform`` and overrides what it needs: the async ``list_tools(tools)``
(and ``list_resources``, ``list_resource_templates``, ``list_prompts``) receive the components listed so far
and return the ones to list; ``get_tool(name, call_next, *, version=None)`` (and ``get_resource``,
``get_resource_template``, ``get_prompt``) resolve a request's name, asking ``call_next`` for what lies
beneath. Give it to a server with ``mcp.add_transform(t)`` or ``FastMCP(transforms=[t])``. Transforms of your
own are applied after the built-in ones, in the order they were added, on every listing (then paginated) and on
every call whose lookup one of them overrides; a tool, resource or prompt one of them makes is run in Python
with the server's context. ``CatalogTransform`` (``fastmcp.server.transforms.catalog``) is the base for
transforms that replace a listing but read the real catalogue at call time."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import TYPE_CHECKING, Protocol

from ...utilities.versions import VersionSpec

if TYPE_CHECKING:
    from ...prompts.base import Prompt
    from ...resources.base import Resource
    from ...resources.template import ResourceTemplate
    from ...tools.base import Tool

__all__ = [
    "Namespace",
    "PromptsAsTools",
    "ResourcesAsTools",
    "ToolTransform",
    "Transform",
    "VersionFilter",
    "VersionSpec",
    "Visibility",
    "is_enabled",
]


class GetToolNext(Protocol):
    def __call__(self, name: str, *, version: VersionSpec | None = None) -> Awaitable[Tool | None]: ...


class GetResourceNext(Protocol):
    def __call__(self, uri: str, *, version: VersionSpec | None = None) -> Awaitable[Resource | None]: ...


class GetResourceTemplateNext(Protocol):
    def __call__(self, uri: str, *, version: VersionSpec | None = None) -> Awaitable[ResourceTemplate | None]: ...


class GetPromptNext(Protocol):
    def __call__(self, name: str, *, version: VersionSpec | None = None) -> Awaitable[Prompt | None]: ...


class Transform:
    """The base of transforms: every method passes what it is given through unchanged."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    async def list_tools(self, tools: Sequence[Tool]) -> Sequence[Tool]:
        return tools

    async def get_tool(self, name: str, call_next: GetToolNext, *, version: VersionSpec | None = None) -> Tool | None:
        return await call_next(name, version=version)

    async def list_resources(self, resources: Sequence[Resource]) -> Sequence[Resource]:
        return resources

    async def get_resource(
        self, uri: str, call_next: GetResourceNext, *, version: VersionSpec | None = None
    ) -> Resource | None:
        return await call_next(uri, version=version)

    async def list_resource_templates(self, templates: Sequence[ResourceTemplate]) -> Sequence[ResourceTemplate]:
        return templates

    async def get_resource_template(
        self, uri: str, call_next: GetResourceTemplateNext, *, version: VersionSpec | None = None
    ) -> ResourceTemplate | None:
        return await call_next(uri, version=version)

    async def list_prompts(self, prompts: Sequence[Prompt]) -> Sequence[Prompt]:
        return prompts

    async def get_prompt(
        self, name: str, call_next: GetPromptNext, *, version: VersionSpec | None = None
    ) -> Prompt | None:
        return await call_next(name, version=version)


class _Builtin(Transform):
    """A transform the core applies itself (see the module's documentation)."""

    _fastmcp_rs_builtin = True


from .namespace import Namespace  # noqa: E402
from .prompts_as_tools import PromptsAsTools  # noqa: E402
from .resources_as_tools import ResourcesAsTools  # noqa: E402
from .tool_transform import ToolTransform  # noqa: E402
from .version_filter import VersionFilter  # noqa: E402
from .visibility import Visibility, is_enabled  # noqa: E402
