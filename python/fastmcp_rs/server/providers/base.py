"""``fastmcp.server.providers.base``: ``Provider``, the way to serve components that live somewhere else (a
database, a config service, another process), as FastMCP 4 defines it.

Write one by subclassing ``Provider`` and implementing any of the async ``_list_tools()``,
``_list_resources()``, ``_list_resource_templates()`` and ``_list_prompts()`` (returning components: ``Tool``
subclasses with a ``run``, ``FunctionTool.from_function(...)``, ``Resource``/``Prompt`` objects), and
optionally ``_get_tool(name)`` & co. and a ``lifespan()``. Give it to a server with ``FastMCP(providers=[p])``
or ``mcp.add_provider(p, namespace=...)``.

How it is served: the provider's components are registered in the server's core like its own, so calls run
with no extra step. They are fetched from the provider when the server starts and again whenever a client
lists them, so a client always lists what the provider has now (as in FastMCP 4, which asks the provider on
every request). A component the provider returns for a lookup but never lists is not served, and one it drops
is served until the next listing. A provider that fails is logged and skipped (FastMCP 4's ``"warn"``).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ...prompts.base import Prompt
    from ...resources.base import Resource
    from ...resources.template import ResourceTemplate
    from ...tools.base import Tool

__all__ = ["Provider"]

_log = logging.getLogger("fastmcp.server.providers.aggregate")
_KINDS = ("tools", "resources", "templates", "prompts")
_LIST_KINDS = {
    "tools/list": "tools",
    "resources/list": "resources",
    "resources/templates/list": "templates",
    "prompts/list": "prompts",
}


class Provider:
    """Components from somewhere else. Subclass it and implement the ``_list_*`` methods you need."""

    def __init__(self) -> None:
        self._transforms: list[Any] = []
        self._rules: list[tuple[bool, dict[str, Any]]] = []

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    # -- what a subclass implements -------------------------------------------------------------------

    async def _list_tools(self) -> Sequence[Tool]:
        return []

    async def _get_tool(self, name: str, version: Any = None) -> Tool | None:
        return next((t for t in await self._list_tools() if t.name == name), None)

    async def _list_resources(self) -> Sequence[Resource]:
        return []

    async def _get_resource(self, uri: str, version: Any = None) -> Resource | None:
        return next((r for r in await self._list_resources() if str(r.uri) == uri), None)

    async def _list_resource_templates(self) -> Sequence[ResourceTemplate]:
        return []

    async def _get_resource_template(self, uri: str, version: Any = None) -> ResourceTemplate | None:
        return next((t for t in await self._list_resource_templates() if t.uri_template == uri), None)

    async def _list_prompts(self) -> Sequence[Prompt]:
        return []

    async def _get_prompt(self, name: str, version: Any = None) -> Prompt | None:
        return next((p for p in await self._list_prompts() if p.name == name), None)

    @contextlib.asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        """Set-up and tear-down around the server's life (open a pool, say); the default does nothing."""
        yield

    # -- what callers use -----------------------------------------------------------------------------

    async def list_tools(self) -> Sequence[Tool]:
        return await self._list_tools()

    async def get_tool(self, name: str, version: Any = None) -> Tool | None:
        return await self._get_tool(name, version)

    async def list_resources(self) -> Sequence[Resource]:
        return await self._list_resources()

    async def get_resource(self, uri: str, version: Any = None) -> Resource | None:
        return await self._get_resource(uri, version)

    async def list_resource_templates(self) -> Sequence[ResourceTemplate]:
        return await self._list_resource_templates()

    async def get_resource_template(self, uri: str, version: Any = None) -> ResourceTemplate | None:
        return await self._get_resource_template(uri, version)

    async def list_prompts(self) -> Sequence[Prompt]:
        return await self._list_prompts()

    async def get_prompt(self, name: str, version: Any = None) -> Prompt | None:
        return await self._get_prompt(name, version)

    async def get_tasks(self) -> Sequence[Any]:
        return []

    # -- visibility and transforms ----------------------------------------------------------------------

    @property
    def transforms(self) -> list[Any]:
        return list(self._transforms)

    def add_transform(self, transform: Any) -> None:
        """Transforms of this provider's components (served as the server's own transforms would)."""
        self._transforms.append(transform)
        server = getattr(self, "_fastmcp_rs_server", None)
        if server is not None:
            server.add_transform(transform)

    def enable(self, **criteria: Any) -> Provider:
        self._rules.append((True, criteria))
        server = getattr(self, "_fastmcp_rs_server", None)
        if server is not None:
            server.enable(**criteria)
        return self

    def disable(self, **criteria: Any) -> Provider:
        self._rules.append((False, criteria))
        server = getattr(self, "_fastmcp_rs_server", None)
        if server is not None:
            server.disable(**criteria)
        return self


def served_by(provider: Provider) -> Any:
    """The server that serves ``provider``'s components (mounted where the provider is added)."""
    server = getattr(provider, "_fastmcp_rs_server", None)
    if server is None:
        server = _ProvidedServer(provider)
        provider._fastmcp_rs_server = server  # type: ignore[attr-defined]
    return server


def _server_class() -> Any:
    from ..server import FastMCP

    return FastMCP


class _ProvidedServer(_server_class()):  # type: ignore[misc]
    """A provider's components as a server's: fetched at start and before each listing."""

    def __init__(self, provider: Provider) -> None:
        super().__init__(name=repr(provider))
        self._provider = provider
        self._lifespan = self._provider_lifespan  # type: ignore[assignment]
        self._list_hook = self._sync_for_listing
        for enabled, criteria in provider._rules:
            (self.enable if enabled else self.disable)(**criteria)
        for transform in provider._transforms:
            self.add_transform(transform)
        self._install_chain()

    @contextlib.asynccontextmanager
    async def _provider_lifespan(self, server: Any) -> Any:
        async with self._provider.lifespan():
            await self._sync(_KINDS)
            yield {}

    async def _sync_for_listing(self, method: str, handle: Any) -> None:
        kind = _LIST_KINDS.get(method)
        if kind is None:
            return
        from ..server import quiet_lists

        token = quiet_lists.set(True)
        try:
            await self._sync((kind,))
        finally:
            quiet_lists.reset(token)

    async def _sync(self, kinds: Sequence[str]) -> None:
        provider = self._provider
        fetch = {
            "tools": provider.list_tools,
            "resources": provider.list_resources,
            "templates": provider.list_resource_templates,
            "prompts": provider.list_prompts,
        }
        for kind in kinds:
            try:
                items = list(await fetch[kind]())
            except Exception as exc:
                _log.warning("Error during list_%s from provider %r: %s", kind, provider, exc)
                continue
            self._replace(kind, items)

    def _replace(self, kind: str, items: list[Any]) -> None:
        table, remove = {
            "tools": (self._tools, self.remove_tool),
            "resources": (self._resources, self.remove_resource),
            "templates": (self._templates, self.remove_template),
            "prompts": (self._prompts, self.remove_prompt),
        }[kind]
        fresh = {item.key: item for item in items}
        for key in [k for k in table if k not in fresh]:
            remove(key)
        before, self._on_duplicate = self._on_duplicate, "replace"
        try:
            for key, item in fresh.items():
                old = table.get(key)
                if old is item or (old is not None and _same(old, item)):
                    continue
                if kind == "tools":
                    self.add_tool(item)
                elif kind == "prompts":
                    self.add_prompt(item)
                else:
                    self.add_resource(item)
        finally:
            self._on_duplicate = before
        self._reorder(_KIND_OF[kind], list(fresh))


_KIND_OF = {"tools": "tool", "resources": "resource", "templates": "template", "prompts": "prompt"}


def _same(old: Any, new: Any) -> bool:
    """Whether a component fetched again is the one already served (then it is not registered again)."""
    if type(old) is not type(new):
        return False
    try:
        mine = {k: v for k, v in vars(old).items() if k != "server"}
        theirs = {k: v for k, v in vars(new).items() if k != "server"}
        return bool(mine == theirs)
    except Exception:
        return False
