"""``fastmcp.apps.config``: what a tool or a resource says about its UI, for hosts of the MCP Apps extension
(``io.modelcontextprotocol/ui``). On the wire it is the component's ``_meta.ui``, camelCase, unset fields left
out."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..utilities.mime import UI_MIME_TYPE, resolve_ui_mime_type

__all__ = [
    "UI_EXTENSION_ID",
    "UI_MIME_TYPE",
    "AppConfig",
    "PrefabAppConfig",
    "ResourceCSP",
    "ResourcePermissions",
    "app_config_to_meta_dict",
    "is_model_visible",
    "resolve_ui_mime_type",
]

UI_EXTENSION_ID = "io.modelcontextprotocol/ui"

#: Where a tool that renders with Prefab points until its listing names the shared renderer resource.
PREFAB_PLACEHOLDER_URI = "ui://prefab/renderer.html"


def _field(alias: str | None, description: str) -> Any:
    if alias is None:
        return Field(default=None, description=description)
    return Field(default=None, validation_alias=alias, serialization_alias=alias, description=description)


class _WireModel(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="allow")


class ResourceCSP(_WireModel):
    """The origins an app's iframe may reach (the host builds its Content-Security-Policy from them)."""

    connect_domains: list[str] | None = _field("connectDomains", "fetch/XHR/WebSocket origins (connect-src)")
    resource_domains: list[str] | None = _field("resourceDomains", "scripts, images, styles, fonts")
    frame_domains: list[str] | None = _field("frameDomains", "nested iframes (frame-src)")
    base_uri_domains: list[str] | None = _field("baseUriDomains", "base URIs of the document (base-uri)")


class ResourcePermissions(_WireModel):
    """Browser features the app asks its iframe to be granted (``{}`` asks)."""

    camera: dict[str, Any] | None = _field(None, "camera access")
    microphone: dict[str, Any] | None = _field(None, "microphone access")
    geolocation: dict[str, Any] | None = _field(None, "geolocation access")
    clipboard_write: dict[str, Any] | None = _field("clipboardWrite", "clipboard-write access")


class AppConfig(_WireModel):
    """A tool's or resource's UI: on a tool, the UI resource it renders in (``resource_uri``) and who it is
    for (``visibility``: ``"model"``, ``"app"``; an audience, not an access rule); on either, the iframe's
    ``csp``, ``permissions``, ``domain`` and ``prefers_border``."""

    resource_uri: str | None = _field("resourceUri", "the UI resource (ui://...); tools only")
    visibility: list[Literal["app", "model"]] | None = _field(None, "the intended audience; tools only")
    csp: ResourceCSP | None = _field(None, "Content Security Policy of the app's iframe")
    permissions: ResourcePermissions | None = _field(None, "the iframe's sandbox permissions")
    domain: str | None = _field(None, "the iframe's domain")
    prefers_border: bool | None = _field("prefersBorder", "whether the UI wants a visible border")


class PrefabAppConfig(AppConfig):
    """``app=True`` with options: the tool renders with Prefab's renderer (registered by itself), whose CSP
    is merged with yours."""

    def model_post_init(self, __context: Any) -> None:
        if self.resource_uri is None:
            self.resource_uri = PREFAB_PLACEHOLDER_URI
        try:
            from prefab_ui.renderer import get_renderer_csp

            defaults = get_renderer_csp() or {}
        except ImportError:
            defaults = {}
        if defaults:
            mine = self.csp or ResourceCSP()
            merged = mine.model_dump(exclude_none=True)
            merged["connect_domains"] = merge_domains(defaults.get("connect_domains"), mine.connect_domains)
            merged["resource_domains"] = merge_domains(defaults.get("resource_domains"), mine.resource_domains)
            self.csp = ResourceCSP(**merged)


def merge_domains(base: list[str] | None, extra: list[str] | None) -> list[str] | None:
    """``base`` then what ``extra`` adds, each once (``None`` when both are)."""
    if base is None and extra is None:
        return None
    combined = list(base or [])
    combined += [d for d in extra or () if d not in combined]
    return combined or None


def app_config_to_meta_dict(app: AppConfig | dict[str, Any]) -> dict[str, Any]:
    """``_meta.ui`` as it goes on the wire."""
    if isinstance(app, AppConfig):
        return app.model_dump(by_alias=True, exclude_none=True)
    return app


def is_model_visible(component: Any) -> bool:
    """Whether a component is for the model: no ``visibility``, or one that names ``"model"``."""
    ui = (getattr(component, "meta", None) or {}).get("ui")
    visibility = ui.get("visibility") if isinstance(ui, dict) else None
    return not isinstance(visibility, list) or "model" in visibility
