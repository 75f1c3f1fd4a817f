"""``fastmcp.server.transforms.visibility``: ``Visibility(enabled, names=, keys=, version=, tags=, components=,
match_all=)`` shows or hides the components that match every criterion given, as ``server.enable()`` /
``server.disable()`` do (later rules win; a rule with no criteria matches nothing, ``match_all=True``
everything). ``enable_components`` / ``disable_components`` / ``reset_visibility`` (also ``Context`` methods)
do the same for one client only: see ``fastmcp_rs.server._session_views``."""

from __future__ import annotations

import warnings
from typing import Any

from . import _Builtin

__all__ = [
    "Visibility",
    "disable_components",
    "enable_components",
    "get_visibility_rules",
    "is_enabled",
    "reset_visibility",
]


class Visibility(_Builtin):
    def __init__(
        self,
        enabled: bool,
        *,
        names: set[str] | None = None,
        keys: set[str] | None = None,
        version: Any = None,
        tags: set[str] | None = None,
        components: set[str] | None = None,
        match_all: bool = False,
    ) -> None:
        missing = sorted(k for k in keys or () if "@" not in k)
        if missing:
            warnings.warn(
                f"Component keys are missing the '@' version delimiter and will match nothing: {missing}. A key "
                "always ends in '@' for an unversioned component (e.g. 'tool:my_tool@') or '@<version>' for a "
                "versioned one. Read the value from `component.key`, or filter by `names` instead.",
                UserWarning,
                stacklevel=2,
            )
        self.enabled = enabled
        self.version = version
        self.names, self.keys, self.tags = names, keys, tags
        self.components, self.match_all = components, match_all

    def __repr__(self) -> str:
        return f"Visibility({self.enabled!r})"


def is_enabled(component: Any) -> bool:
    """False for a component marked hidden (``enabled=False``, or FastMCP's visibility mark in its meta)."""
    meta = getattr(component, "meta", None) or {}
    internal = (meta.get("fastmcp") or {}).get("_internal") or {}
    return bool(internal.get("visibility", getattr(component, "enabled", True)))


async def get_visibility_rules(context: Any) -> list[dict[str, Any]]:
    """This client's own rules, as dicts (oldest first); none before it has any."""
    from .._session_views import views_of

    views = views_of(context)
    return views.rules(context) if views is not None else []


async def _add_rule(context: Any, enabled: bool, components: Any, **criteria: Any) -> None:
    from .._session_views import rule, start

    views = start(context)
    components = components or None
    rules = views.rules(context)
    new = rule(enabled, components=components, **criteria)
    views.check_versions(new)
    rules.append(new)
    await views.save(context, rules, components)


async def enable_components(
    context: Any,
    *,
    names: set[str] | None = None,
    keys: set[str] | None = None,
    version: Any = None,
    tags: set[str] | None = None,
    components: set[str] | None = None,
    match_all: bool = False,
) -> None:
    """Shows the matching components to this client only (its rules win over the server's; later ones over
    earlier ones), and tells it its listings changed."""
    await _add_rule(context, True, components, names=names, keys=keys, version=version, tags=tags, match_all=match_all)


async def disable_components(
    context: Any,
    *,
    names: set[str] | None = None,
    keys: set[str] | None = None,
    version: Any = None,
    tags: set[str] | None = None,
    components: set[str] | None = None,
    match_all: bool = False,
) -> None:
    """Hides the matching components from this client only, and tells it its listings changed."""
    await _add_rule(context, False, components, names=names, keys=keys, version=version, tags=tags, match_all=match_all)


async def reset_visibility(context: Any) -> None:
    """Drops this client's own rules: it sees what every client sees again."""
    from .._session_views import start

    await start(context).save(context, [], None)
