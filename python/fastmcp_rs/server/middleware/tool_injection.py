"""``fastmcp.server.middleware.tool_injection``: ``ToolInjectionMiddleware(tools=[...])`` lists and serves the
given tools beside the server's own, as FastMCP 4 does: they are resolved where the server resolves its own
tools (the innermost step of the chain), so every middleware, wherever it sits, sees their listing and
calls. An injected tool takes the place of a registered one with the same name, and when several injection
middleware give a name, the one added first wins. Arguments go to the tool's ``run`` as they came."""

from __future__ import annotations

from collections.abc import Sequence

from fastmcp_rs.tools.base import Tool

from .middleware import Middleware

__all__ = ["ToolInjectionMiddleware"]


class ToolInjectionMiddleware(Middleware):
    """Injects ``tools`` into the server's listing and calls."""

    def __init__(self, tools: Sequence[Tool]) -> None:
        self._tools_to_inject: Sequence[Tool] = tools
        self._tools_to_inject_by_name: dict[str, Tool] = {tool.name: tool for tool in tools}

    @property
    def injected_tools(self) -> Sequence[Tool]:
        """One tool per name (the last given of a name)."""
        return list(self._tools_to_inject_by_name.values())

    def get_injected_tool(self, name: str) -> Tool | None:
        return self._tools_to_inject_by_name.get(name)
