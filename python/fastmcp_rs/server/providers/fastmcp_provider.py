"""``fastmcp.server.providers.fastmcp_provider``: ``FastMCPProvider(server)``, a server's components as a
provider's (what ``mount()`` makes): ``parent.add_provider(FastMCPProvider(child), namespace=...)`` serves
``child`` as ``parent.mount(child, namespace=...)`` does, live, its middleware and lifespan included.

Not here yet: ``FastMCPProviderTool`` and its resource, template and prompt kin (the wrappers FastMCP 4
lists a mounted server's components as); a mounted server's components are listed as its own."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastmcp_rs._unsupported import stub

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


_FEATURE = "FastMCP 4's wrappers of a mounted server's components"

FastMCPProviderPrompt = stub("FastMCPProviderPrompt", _FEATURE, __name__)
FastMCPProviderResource = stub("FastMCPProviderResource", _FEATURE, __name__)
FastMCPProviderResourceTemplate = stub("FastMCPProviderResourceTemplate", _FEATURE, __name__)
FastMCPProviderTool = stub("FastMCPProviderTool", _FEATURE, __name__)
