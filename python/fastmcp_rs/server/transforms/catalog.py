"""``fastmcp.server.transforms.catalog``: ``CatalogTransform``, the base of transforms that replace what a
server lists (a search tool in place of the whole catalogue, say) but read the real catalogue when one of
their tools runs.

A subclass overrides ``transform_tools(tools)`` (and ``transform_resources``,
``transform_resource_templates``, ``transform_prompts``), never ``list_tools`` itself. Inside a tool it makes,
``await self.get_tool_catalog(ctx)`` gives the server's tools as if this transform were not there (highest
version of each name, the tools a model may see), and ``get_resource_catalog``, ``get_prompt_catalog`` and
``get_resource_template_catalog`` the other kinds: while they run, this transform's ``list_*`` pass their input
through, in that task only."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from . import Transform

if TYPE_CHECKING:
    from ...prompts.base import Prompt
    from ...resources.base import Resource
    from ...resources.template import ResourceTemplate
    from ...tools.base import Tool

__all__ = ["CatalogTransform"]

_ids = itertools.count()


class CatalogTransform(Transform):
    """A transform that replaces listings and reads the real catalogue (see the module's documentation)."""

    def __init__(self) -> None:
        self._instance_id = next(_ids)
        self._bypass: ContextVar[bool] = ContextVar(f"_catalog_bypass_{self._instance_id}", default=False)

    def _bypassed(self) -> bool:
        bypass = getattr(self, "_bypass", None)  # a subclass that did not call __init__ never bypasses
        return bypass is not None and bypass.get()

    async def list_tools(self, tools: Sequence[Tool]) -> Sequence[Tool]:
        return tools if self._bypassed() else await self.transform_tools(tools)

    async def list_resources(self, resources: Sequence[Resource]) -> Sequence[Resource]:
        return resources if self._bypassed() else await self.transform_resources(resources)

    async def list_resource_templates(self, templates: Sequence[ResourceTemplate]) -> Sequence[ResourceTemplate]:
        return templates if self._bypassed() else await self.transform_resource_templates(templates)

    async def list_prompts(self, prompts: Sequence[Prompt]) -> Sequence[Prompt]:
        return prompts if self._bypassed() else await self.transform_prompts(prompts)

    async def transform_tools(self, tools: Sequence[Tool]) -> Sequence[Tool]:
        return tools

    async def transform_resources(self, resources: Sequence[Resource]) -> Sequence[Resource]:
        return resources

    async def transform_resource_templates(self, templates: Sequence[ResourceTemplate]) -> Sequence[ResourceTemplate]:
        return templates

    async def transform_prompts(self, prompts: Sequence[Prompt]) -> Sequence[Prompt]:
        return prompts

    async def _catalog(self, ctx: Any, method: str, run_middleware: bool) -> Any:
        if not hasattr(self, "_bypass"):
            CatalogTransform.__init__(self)
        token = self._bypass.set(True)
        try:
            return await getattr(ctx.fastmcp, method)(run_middleware=run_middleware)
        finally:
            self._bypass.reset(token)

    async def get_tool_catalog(self, ctx: Any, *, run_middleware: bool = True) -> Sequence[Tool]:
        """The server's tools without this transform: one per name (its highest version), the ones a model may
        see (not app-only ones)."""
        from ...apps.config import is_model_visible
        from ...utilities.versions import dedupe_with_versions

        tools = await self._catalog(ctx, "list_tools", run_middleware)
        return [t for t in dedupe_with_versions(tools, lambda t: t.name) if is_model_visible(t)]

    async def get_resource_catalog(self, ctx: Any, *, run_middleware: bool = True) -> Sequence[Resource]:
        return list(await self._catalog(ctx, "list_resources", run_middleware))

    async def get_prompt_catalog(self, ctx: Any, *, run_middleware: bool = True) -> Sequence[Prompt]:
        return list(await self._catalog(ctx, "list_prompts", run_middleware))

    async def get_resource_template_catalog(
        self, ctx: Any, *, run_middleware: bool = True
    ) -> Sequence[ResourceTemplate]:
        return list(await self._catalog(ctx, "list_resource_templates", run_middleware))
