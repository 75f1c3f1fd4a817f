"""``fastmcp.utilities.mime``: the media type of MCP Apps UI resources."""

from __future__ import annotations

__all__ = ["UI_MIME_TYPE", "resolve_ui_mime_type"]

UI_MIME_TYPE = "text/html;profile=mcp-app"


def resolve_ui_mime_type(uri: str, explicit_mime_type: str | None) -> str | None:
    """``explicit_mime_type`` if given, else ``UI_MIME_TYPE`` for a ``ui://`` URI, else ``None``."""
    if explicit_mime_type is not None:
        return explicit_mime_type
    return UI_MIME_TYPE if uri.lower().startswith("ui://") else None
