"""``fastmcp.server.providers.local_provider``: ``LocalProvider``, components registered with the same
decorators as a server's (``@provider.tool``, ``@provider.resource(uri)``, ``@provider.prompt``,
``add_tool``, ...) but served by the servers it is given to (``FastMCP(providers=[provider])`` or
``server.add_provider(provider, namespace=...)``); one provider can serve several servers. Attached, it is
a live link like a mount: what it gains or loses later, every server serving it shows at once."""

from __future__ import annotations

from typing import Any, Literal

from ...server import FastMCP

__all__ = ["LocalProvider"]


class LocalProvider(FastMCP):
    """A set of components without a server of its own (see the module's documentation)."""

    def __init__(self, on_duplicate: Literal["warn", "error", "replace", "ignore"] = "error") -> None:
        super().__init__("LocalProvider", on_duplicate=on_duplicate)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def remove_tool(self, name: str, version: Any = None) -> None:
        if name not in self._tools:
            raise KeyError(f"Tool {name!r} not found")
        super().remove_tool(name)

    def remove_resource(self, uri: str, version: Any = None) -> None:
        if uri not in self._resources:
            raise KeyError(f"Resource {uri!r} not found")
        super().remove_resource(uri)

    def remove_template(self, uri_template: str, version: Any = None) -> None:
        if uri_template not in self._templates:
            raise KeyError(f"Template {uri_template!r} not found")
        super().remove_template(uri_template)

    def remove_prompt(self, name: str, version: Any = None) -> None:
        if name not in self._prompts:
            raise KeyError(f"Prompt {name!r} not found")
        super().remove_prompt(name)
