"""Per-session visibility: ``ctx.enable_components`` / ``disable_components`` / ``reset_visibility``.

A client's rules apply on top of what every client sees (later rules win, as ``server.enable``/``disable``
rules do), for that client only: a handshake-era session, or on the 2026-07-28 era the verified caller (the
one client of a stdio or in-memory connection). The core keeps each such client's view (the keys it sees of
every kind, in order); components hidden from everyone stay registered in the core, *parked*, for the
clients whose view names them. Nothing of this runs, and the core looks for no view, until a first rule is
set. The rules are kept as FastMCP 4 keeps them, as dicts under the session's ``_visibility_rules`` state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .._context import Context
    from .server import FastMCP

__all__: list[str] = []

RULES_KEY = "_visibility_rules"
_PLURAL = {"tool": "tools", "resource": "resources", "template": "templates", "prompt": "prompts"}
_NOTIFY = {
    "tool": ("notifications/tools/list_changed",),
    "resource": ("notifications/resources/list_changed",),
    "template": ("notifications/resources/list_changed",),
    "prompt": ("notifications/prompts/list_changed",),
}
_NO_SCOPE = (
    "Session visibility rules are scoped to a client, and this unauthenticated request carries no client "
    "identity: MCP 2026-07-28 HTTP connections have no session. Add authentication to the server to scope "
    "rules to each user."
)


def rule(
    enabled: bool,
    *,
    names: Any = None,
    keys: Any = None,
    version: Any = None,
    tags: Any = None,
    components: Any = None,
    match_all: bool = False,
) -> dict[str, Any]:
    """One rule, as FastMCP 4 stores it (empty ``tags``/``components`` mean no criterion; keys in order, as its
    state store gives them back)."""
    return {
        "components": list(components) if components else None,
        "enabled": enabled,
        "keys": list(keys) if keys is not None else None,
        "match_all": match_all,
        "names": list(names) if names is not None else None,
        "tags": list(tags) if tags else None,
        "version": {"eq": version.eq, "gte": version.gte, "lt": version.lt} if version else None,
    }


def matches(rule: dict[str, Any], kind: str, key: str, component: Any) -> bool:
    """Whether ``rule`` applies to a component: every criterion it has must hold; no criterion, nothing."""
    if rule.get("match_all"):
        return True
    names, keys, version = rule.get("names"), rule.get("keys"), rule.get("version")
    tags, kinds = rule.get("tags"), rule.get("components")
    if names is None and keys is None and version is None and tags is None and kinds is None:
        return False
    if kinds is not None and kind not in kinds:
        return False
    own_version = getattr(component, "version", None)
    if keys is not None and f"{kind}:{key}@{own_version or ''}" not in keys:
        return False
    if names is not None:
        name = getattr(component, "name", None)
        if name not in names and key not in names:
            return False
    if version is not None:
        from ..utilities.versions import VersionSpec

        if not VersionSpec(**version).matches(own_version, match_none=False):
            return False
    return tags is None or bool(set(tags) & set(getattr(component, "tags", ()) or ()))


def _notify(handle: Any, kinds: Any) -> None:
    """Tells this client (only) that the listings of ``kinds`` (all when ``None``) changed."""
    sent: set[str] = set()
    for kind in ("tool", "resource", "template", "prompt"):
        if kinds is None or kind in kinds:
            for method in _NOTIFY[kind]:
                if method not in sent:
                    sent.add(method)
                    handle.notify(method)


def start(ctx: Context) -> SessionViews:
    """The views of ``ctx``'s server, turned on. A mounted server's rules are kept, and change nothing: as in
    FastMCP 4, only the rules of the server the client talks to apply."""
    server = ctx._server()
    if server._parents:
        return _KeptRules(server)
    return SessionViews.start(server)


def views_of(ctx: Context) -> SessionViews | None:
    server = ctx._server()
    return _KeptRules(server) if server._parents else server._session_views


class SessionViews:
    """The clients of one server that have rules of their own, and the views the core keeps for them."""

    def __init__(self, server: FastMCP) -> None:
        self._server = server
        #: Handshake-era sessions: (their view in the core, their state dict holding the rules).
        self._sessions: dict[int, tuple[Any, dict[str, Any]]] = {}
        #: Modern-era clients, by scope: their rules.
        self._scopes: dict[str, list[dict[str, Any]]] = {}

    @staticmethod
    def start(server: FastMCP) -> SessionViews:
        """Turns per-client views on: from now on, components hidden from everyone are parked, not removed."""
        if server._session_views is None:
            server._session_views = SessionViews(server)
            server._native.use_views()
            server._park_hidden()
        return server._session_views

    def rules(self, ctx: Context) -> list[dict[str, Any]]:
        handle = ctx._handle
        if handle.is_modern:
            scope = handle.view_scope
            return list(self._scopes.get(scope, ())) if scope is not None else []
        return list(handle.session_state.get(RULES_KEY) or ())

    async def save(self, ctx: Context, rules: list[dict[str, Any]], kinds: Any = None) -> None:
        handle = ctx._handle
        view = self.view(rules) if rules else None
        if handle.is_modern:
            scope = handle.view_scope
            if scope is None:
                raise RuntimeError(_NO_SCOPE)
            if rules:
                self._scopes[scope] = rules
            else:
                self._scopes.pop(scope, None)
            self._server._native.set_scope_view(scope, view)
        else:
            state = handle.session_state
            state[RULES_KEY] = rules
            ref = handle.view_ref()
            ref.set(view)
            self._sessions[id(state)] = (ref, state)
        _notify(handle, kinds)

    def check_versions(self, new: dict[str, Any]) -> None:
        """A rule that matches some versions of a component and not others is not served yet (each client
        would need a listing of its own for that component)."""
        if new.get("version") is None or new.get("match_all"):
            return
        server = self._server
        for (kind, key), versions in [*server._versions.items(), *server._derived_versions.items()]:
            if len(versions) < 2:
                continue
            hits = {matches(new, kind, key, component) for component in versions.values()}
            if len(hits) > 1:
                raise NotImplementedError(
                    f"a per-session rule with version= that matches some versions of {kind} {key!r} and not "
                    "others is not supported by fastmcp-rs yet: match all of its versions or none"
                )

    def refresh(self) -> None:
        """Recomputes every client's view after the server's components changed."""
        for token, (ref, state) in list(self._sessions.items()):
            rules = state.get(RULES_KEY) or []
            if not ref.alive or not ref.set(self.view(rules) if rules else None):
                del self._sessions[token]
        for scope, rules in self._scopes.items():
            self._server._native.set_scope_view(scope, self.view(rules))

    def view(self, rules: list[dict[str, Any]]) -> dict[str, list[str] | None]:
        """The keys a client with ``rules`` sees, per kind (``None`` for a kind where that is what everyone
        sees, so the core keeps its own order there)."""
        server = self._server
        seen: dict[str, list[str]] = {plural: [] for plural in _PLURAL.values()}
        differs: set[str] = set()
        for kind, key, component in server._all_served():
            live = (kind, key) in server._live
            if not live and (kind, key) not in server._parked:
                continue
            shown = live
            for r in rules:
                if matches(r, kind, key, component):
                    shown = bool(r["enabled"])
            plural = _PLURAL[kind]
            if shown != live:
                differs.add(plural)
            if shown:
                seen[plural].append(server._native_key(kind, key))
        return {plural: (keys if plural in differs else None) for plural, keys in seen.items()}


class _KeptRules(SessionViews):
    """A mounted server's rules: kept (and given back) per session, applied nowhere."""

    def __init__(self, server: FastMCP) -> None:
        super().__init__(server)
        self._key = f"{RULES_KEY}@{id(server)}"

    def rules(self, ctx: Context) -> list[dict[str, Any]]:
        handle = ctx._handle
        if handle.is_modern:
            return list(self._server._kept_rules.get(handle.view_scope, ()))
        return list(handle.session_state.get(self._key) or ())

    def check_versions(self, new: dict[str, Any]) -> None:
        return

    async def save(self, ctx: Context, rules: list[dict[str, Any]], kinds: Any = None) -> None:
        handle = ctx._handle
        if handle.is_modern:
            scope = handle.view_scope
            if scope is None:
                raise RuntimeError(_NO_SCOPE)
            self._server._kept_rules[scope] = rules
        else:
            handle.session_state[self._key] = rules
        _notify(handle, kinds)
