"""Prefab UI (``prefab_ui``), the renderer FastMCP 4's apps use, as this package serves it.

- A tool marked ``app=True`` (or ``PrefabAppConfig``, or returning a Prefab type) lists a ``_meta.ui`` whose
  ``resourceUri`` names a renderer resource shared by every tool with the same renderer configuration:
  ``ui://prefab/renderer/<sha256 of the configuration>/renderer.html``, as FastMCP 4 names it; the CSP,
  permissions, domain and border it asked for go on that resource, not on the tool.
- The server lists those resources after its own and answers their reads with Prefab's renderer page.
- A Prefab app or component a tool returns is its structured content (``PrefabApp.to_json()``), with
  ``[Rendered Prefab UI]`` as its text. ``CallTool`` references to tools of a ``FastMCPApp`` are written as
  the tool's identity address (``__<hash>_<name>``), which servers resolve to the name they list it under.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import typing
from functools import lru_cache
from importlib.util import find_spec
from typing import Any

from .config import PREFAB_PLACEHOLDER_URI

__all__ = [
    "RENDERED_TEXT",
    "hash_tool",
    "hashed_backend_name",
    "is_prefab_tool_meta",
    "is_prefab_type",
    "is_prefab_value",
    "parse_hashed_backend_name",
    "payload_of",
    "renderer_resource",
    "wire_ui",
]

RENDERED_TEXT = "[Rendered Prefab UI]"
HASH_LENGTH = 12
TOOL_HASH_META_KEY = "tool_hash"
_RESOURCE_ONLY = ("csp", "permissions", "domain", "prefersBorder")


@lru_cache(maxsize=1)
def prefab_available() -> bool:
    return find_spec("prefab_ui") is not None


def _types() -> tuple[type, type] | None:
    if "prefab_ui" not in sys.modules and not prefab_available():
        return None
    from prefab_ui.app import PrefabApp
    from prefab_ui.components.base import Component

    return PrefabApp, Component


def is_prefab_value(value: Any) -> bool:
    """A Prefab app or component (checked without importing Prefab for anything else)."""
    if "prefab_ui" not in sys.modules:
        return False
    found = _types()
    return found is not None and isinstance(value, found)


def is_prefab_type(tp: Any) -> bool:
    """Whether an annotation is (or, through a union or ``Annotated``, contains) a Prefab type."""
    if isinstance(tp, type):
        module = getattr(tp, "__module__", "")
        if not module.startswith("prefab_ui"):
            return False
        found = _types()
        return found is not None and issubclass(tp, found)
    return any(is_prefab_type(arg) for arg in typing.get_args(tp))


def is_prefab_tool_meta(meta: dict[str, Any] | None) -> bool:
    ui = (meta or {}).get("ui")
    return isinstance(ui, dict) and ui.get("resourceUri") == PREFAB_PLACEHOLDER_URI


# -- identity addresses ------------------------------------------------------------------------------------


def hash_tool(app_name: str, tool_name: str) -> str:
    return hashlib.sha256(f"{app_name}\x00{tool_name}".encode()).hexdigest()[:HASH_LENGTH]


def hashed_backend_name(app_name: str, tool_name: str) -> str:
    return f"__{hash_tool(app_name, tool_name)}_{tool_name}"


def parse_hashed_backend_name(name: str) -> tuple[str, str] | None:
    """``__<12 hex>_<name>`` → ``(hash, name)``."""
    if not name.startswith("__"):
        return None
    rest = name[2:]
    if len(rest) <= HASH_LENGTH + 1 or rest[HASH_LENGTH] != "_":
        return None
    digest = rest[:HASH_LENGTH]
    if not all(c in "0123456789abcdef" for c in digest):
        return None
    return digest, rest[HASH_LENGTH + 1 :]


# -- results -----------------------------------------------------------------------------------------------


def _resolver(app_name: str | None) -> Any:
    from prefab_ui.app import ResolvedTool

    from .._components import META_ATTRIBUTE

    def address(local: str) -> str:
        if app_name and parse_hashed_backend_name(local) is None:
            return hashed_backend_name(app_name, local)
        return local

    def resolve(ref: Any) -> Any:
        if isinstance(ref, str):
            return ResolvedTool(name=address(ref))
        target = getattr(ref, "__func__", ref)
        stored = getattr(target, META_ATTRIBUTE, None)
        name = stored.get("name") if isinstance(stored, dict) else None
        name = name or getattr(target, "_fastmcp_rs_tool_name", None) or getattr(target, "__name__", None)
        if name is None:
            raise ValueError(f"Cannot resolve tool reference: {ref!r}")
        return ResolvedTool(name=address(name))

    return resolve


def _tool_calls(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if node.get("action") == "toolCall" and isinstance(node.get("tool"), str):
            found.append(node)
        for value in node.values():
            found.extend(_tool_calls(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(_tool_calls(item))
    return found


def _names_map(payload: dict[str, Any]) -> dict[str, str]:
    names = ((payload.get("_meta") or {}).get("fastmcp") or {}).get("toolNames")
    if not isinstance(names, dict):
        return {}
    return {k: v for k, v in names.items() if isinstance(k, str) and isinstance(v, str)}


def _write_names(payload: dict[str, Any], names: dict[str, str]) -> None:
    meta = payload.setdefault("_meta", {})
    if isinstance(meta, dict):
        fastmcp = meta.setdefault("fastmcp", {})
        if isinstance(fastmcp, dict):
            fastmcp["toolNames"] = names


def payload_of(value: Any, app_name: str | None = None) -> dict[str, Any]:
    """A Prefab app or component → its wire payload, references to app tools identity-addressed (and
    recorded under ``_meta.fastmcp.toolNames``)."""
    from prefab_ui.app import PrefabApp

    app = value if isinstance(value, PrefabApp) else PrefabApp(view=value)
    payload = app.to_json(tool_resolver=_resolver(app_name))
    addresses = dict(_names_map(payload))
    for action in _tool_calls(payload):
        name = action["tool"]
        if name not in addresses and parse_hashed_backend_name(name) is not None:
            addresses[name] = name
    if addresses:
        _write_names(payload, addresses)
    return payload


def rebind_payload(payload: Any, resolve: Any) -> Any:
    """The payload's identity-addressed references rewritten to the names ``resolve(hash)`` gives (an
    unresolvable one goes back to its identity address)."""
    if not isinstance(payload, dict):
        return payload
    addresses = _names_map(payload)
    if not addresses:
        return payload
    rebound: dict[str, str] = {}
    for current, address in addresses.items():
        parsed = parse_hashed_backend_name(address) or parse_hashed_backend_name(f"__{address}")
        new = (resolve(parsed[0]) if parsed is not None else None) or address
        if new != current:
            rebound[current] = new
    if not rebound:
        return payload
    for action in _tool_calls(payload):
        if action["tool"] in rebound:
            action["tool"] = rebound[action["tool"]]
    _write_names(payload, {rebound.get(n, n): a for n, a in addresses.items()})
    return payload


# -- the renderer resource ---------------------------------------------------------------------------------


def _mode() -> str:
    from prefab_ui import __version__

    mode = os.environ.get("PREFAB_RENDERER_URL", "").rstrip("/")
    if mode:
        return mode
    bundled = bool(os.environ.get("PREFAB_BUNDLED_RENDERER"))
    return "bundled" if bundled or "dev" in __version__ or __version__ == "0.0.0" else "cdn"


def _domains(csp: dict[str, Any], snake: str, camel: str) -> list[str] | None:
    value = csp.get(snake, csp.get(camel))
    return value if isinstance(value, list) else None


def renderer_resource(ui: dict[str, Any]) -> tuple[str, dict[str, Any], str]:
    """For a prefab tool's ``_meta.ui``: its renderer resource's URI, ``_meta`` and delivery mode."""
    from prefab_ui import __version__
    from prefab_ui.renderer import get_renderer_csp

    from .config import (
        UI_MIME_TYPE,
        AppConfig,
        ResourceCSP,
        ResourcePermissions,
        app_config_to_meta_dict,
        merge_domains,
    )

    mode = _mode()
    defaults: dict[str, Any] = get_renderer_csp(mode=mode) or {}  # type: ignore[arg-type]
    asked = ui.get("csp") if isinstance(ui.get("csp"), dict) else {}
    merged = {
        field: merge_domains(defaults.get(field), _domains(asked, field, camel))
        for field, camel in (
            ("connect_domains", "connectDomains"),
            ("resource_domains", "resourceDomains"),
            ("frame_domains", "frameDomains"),
            ("base_uri_domains", "baseUriDomains"),
        )
    }
    merged = {k: sorted(set(v)) if v else None for k, v in merged.items()}
    config = AppConfig(
        csp=ResourceCSP(**merged) if any(merged.values()) else None,
        permissions=ResourcePermissions(**ui["permissions"]) if isinstance(ui.get("permissions"), dict) else None,
        domain=ui["domain"] if isinstance(ui.get("domain"), str) else None,
        prefers_border=ui["prefersBorder"] if isinstance(ui.get("prefersBorder"), bool) else None,
    )
    meta = {"ui": app_config_to_meta_dict(config)}
    identity = json.dumps(
        {"version": __version__, "mode": mode, "mime_type": UI_MIME_TYPE, "meta": meta},
        sort_keys=True,
        separators=(",", ":"),
    )
    return f"ui://prefab/renderer/{hashlib.sha256(identity.encode()).hexdigest()}/renderer.html", meta, mode


def wire_ui(ui: dict[str, Any]) -> dict[str, Any]:
    """A prefab tool's ``_meta.ui`` as listed: its renderer's URI, without what belongs to the resource."""
    uri, _, _ = renderer_resource(ui)
    listed = {k: v for k, v in ui.items() if k not in _RESOURCE_ONLY}
    listed["resourceUri"] = uri
    return listed
