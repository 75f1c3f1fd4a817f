"""``fastmcp.apps.generative``: ``GenerativeUI``, a provider that lets the model write its own Prefab UI.

It serves what ``prefab_ui.generative`` defines, as FastMCP 4 serves it: a tool (``generate_prefab_ui``) that
runs the Prefab Python code the model writes in prefab-ui's sandbox and renders the result with the
generative renderer (which streams the UI as the code arrives), a tool that searches the Prefab component
library (``search_prefab_components``), and that renderer as a ``ui://`` resource with the CSP it needs::

    mcp = FastMCP("My Server")
    mcp.add_provider(GenerativeUI())
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..server.providers.base import Provider

__all__ = ["GenerativeUI"]

try:
    import prefab_ui.generative as _generative
    from prefab_ui.app import PrefabApp
    from prefab_ui.renderer import get_generative_renderer_csp, get_generative_renderer_html
except ImportError as _exc:  # as FastMCP 4 says it
    raise ImportError("GenerativeUI requires prefab-ui. Install with: pip install 'fastmcp[apps]'") from _exc


class GenerativeUI(Provider):
    """Adds the generative UI tool, the component search tool (``include_components_tool``) and the
    generative renderer resource. The sandbox starts with the first generated UI."""

    def __init__(
        self,
        *,
        tool_name: str = "generate_prefab_ui",
        include_components_tool: bool = True,
        components_tool_name: str = "search_prefab_components",
    ) -> None:
        super().__init__()
        self._tool_name = tool_name
        self._components_tool_name = components_tool_name
        self._include_components_tool = include_components_tool
        self._sandbox: Any = None
        self._made: tuple[list[Any], list[Any]] | None = None

    def __repr__(self) -> str:
        return f"GenerativeUI(tool_name={self._tool_name!r})"

    def _sandbox_once(self) -> Any:
        if self._sandbox is None:
            from prefab_ui.sandbox import Sandbox

            self._sandbox = Sandbox()
        return self._sandbox

    def _components(self) -> tuple[list[Any], list[Any]]:
        """The tools and the resource, made once (on first use)."""
        if self._made is not None:
            return self._made
        from ..resources.types import TextResource
        from ..tools.base import Tool
        from .config import UI_MIME_TYPE, AppConfig, ResourceCSP, app_config_to_meta_dict

        provider = self

        async def generate_ui(code: str, data: str | dict[str, Any] | None = None) -> PrefabApp:
            # The model may send the data as JSON text; blank text is no data.
            if isinstance(data, str):
                data = json.loads(data) if data.strip() else None
            return await _generative.execute(code, data=data, sandbox=provider._sandbox_once())

        tools = [
            Tool.from_function(
                generate_ui,
                name=self._tool_name,
                description=_generative.execute.__doc__ or "",
                # The renderer's CSP is the resource's own (MCP Apps): the tool only names the resource.
                meta={"ui": app_config_to_meta_dict(AppConfig(resource_uri=_generative.RESOURCE_URI))},
            )
        ]
        if self._include_components_tool:
            tools.append(
                Tool.from_function(
                    _generative.search_components,
                    name=self._components_tool_name,
                    description=_generative.search_components.__doc__ or "",
                )
            )
        csp = get_generative_renderer_csp()
        policy = ResourceCSP(resource_domains=csp.get("resource_domains"), connect_domains=csp.get("connect_domains"))
        renderer = TextResource(
            uri=_generative.RESOURCE_URI,
            name="Prefab Generative Renderer",
            text=get_generative_renderer_html(),
            mime_type=UI_MIME_TYPE,
            meta={"ui": app_config_to_meta_dict(AppConfig(csp=policy))},
        )
        self._made = (tools, [renderer])
        return self._made

    async def _list_tools(self) -> Sequence[Any]:
        return list(self._components()[0])

    async def _list_resources(self) -> Sequence[Any]:
        return list(self._components()[1])
