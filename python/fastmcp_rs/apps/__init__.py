"""``fastmcp.apps``: MCP Apps, tools that render an interactive UI in hosts that support the extension.

``@mcp.tool(app=True)`` renders what the tool returns (a Prefab UI app or component) with Prefab's renderer;
``app=AppConfig(resource_uri="ui://...")`` points at a UI resource of yours; ``FastMCPApp`` groups a UI's
entry tools with the backend tools it calls.
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from .config import (
    UI_EXTENSION_ID,
    UI_MIME_TYPE,
    AppConfig,
    PrefabAppConfig,
    ResourceCSP,
    ResourcePermissions,
    app_config_to_meta_dict,
    resolve_ui_mime_type,
)

__all__ = [
    "UI_EXTENSION_ID",
    "UI_MIME_TYPE",
    "AppConfig",
    "FastMCPApp",
    "PrefabAppConfig",
    "ResourceCSP",
    "ResourcePermissions",
    "app_config_to_meta_dict",
    "resolve_ui_mime_type",
]

if _TYPE_CHECKING:
    from .app import FastMCPApp


def __getattr__(name: str) -> _Any:
    if name == "FastMCPApp":
        from .app import FastMCPApp

        return FastMCPApp
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
