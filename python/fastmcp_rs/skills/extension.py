"""``fastmcp.skills.extension``: the MCP skills extension (``io.modelcontextprotocol/skills``, SEP-2640) of the
2026-07-28 era, as FastMCP 4 serves it.

``skills/list`` gives every skill the server serves, sorted by URI (paginated as the server's lists are), and
``skills/get`` one of them by its ``SKILL.md`` URI (``-32602`` ``Unknown skill URI: ...`` otherwise). Each skill
is its ``SKILL.md`` URI, its frontmatter, and its files' URIs with their SHA-256 digests and sizes (the
``_manifest`` left out). As in FastMCP 4, a provider given a namespace (or transforms) is left out. A skill is
listed only while the server serves every one of its files; a URI two sources claim is left out, with a
warning. Handshake-era requests are answered ``-32601``, as in FastMCP 4.

A server given a ``SkillsDirectoryProvider`` registers this extension itself (``auto_register``);
``mcp.add_extension(SkillsExtension(providers=[...]))`` limits it to the providers named.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from typing import Any

from ..exceptions import McpError
from ..server.extensions import MethodBinding, ServerExtension
from .models import GetSkillParams, GetSkillResult, ListSkillsParams, ListSkillsResult, MCPSkill

__all__ = ["SKILLS_EXTENSION_ID", "SkillsExtension"]

SKILLS_EXTENSION_ID = "io.modelcontextprotocol/skills"
_MODERN = frozenset({"2026-07-28"})
_log = logging.getLogger("fastmcp.skills.extension")


class SkillsExtension(ServerExtension):
    """Serves the skills of the server's skills providers through ``skills/list`` and ``skills/get``."""

    identifier = SKILLS_EXTENSION_ID
    auto_register = True

    def __init__(self, *, providers: Sequence[Any] | None = None) -> None:
        if providers is not None:
            if not providers:
                raise ValueError("SkillsExtension requires at least one provider")
            if len({id(p) for p in providers}) != len(providers):
                raise ValueError("SkillsExtension providers must be unique")
        self._providers = None if providers is None else tuple(providers)

    def clone(self) -> SkillsExtension:
        return SkillsExtension()

    def methods(self) -> Sequence[MethodBinding]:
        return (
            MethodBinding(
                method="skills/list", params_type=ListSkillsParams, handler=self._list, protocol_versions=_MODERN
            ),
            MethodBinding(
                method="skills/get", params_type=GetSkillParams, handler=self._get, protocol_versions=_MODERN
            ),
        )

    async def _entries(self) -> list[dict[str, Any]]:
        """Every skill of every source, its URIs as this server serves them, collisions left out. Each source
        is asked for its skills again first (a ``load_skills()`` / ``load_manifests()`` of its own runs)."""
        from ..server.providers.base import Provider

        server = self.server
        wanted = None if self._providers is None else {id(p) for p in self._providers}
        links = []
        proxied: list[tuple[Any, list[dict[str, Any]]]] = []
        if getattr(server, "_proxy_skills", False) and wanted is None:  # a proxy forwarding skills, served itself
            proxied.append((None, await server._proxied_skill_entries()))
        for link in server._mounts:
            if getattr(link.child, "_proxy_skills", False):
                if wanted is not None and id(link.child) not in wanted:
                    continue
                if not link.child._transforms:  # as FastMCP 4: a proxy's skills are given under its namespace too
                    proxied.append((link, await link.child._proxied_skill_entries()))
                continue
            provider = getattr(link.child, "_provider", None)
            if not isinstance(provider, Provider) or not hasattr(provider, "_skill_entries"):
                continue
            if wanted is not None and id(provider) not in wanted:
                continue
            if link.namespace or provider._transforms:  # as FastMCP 4: not for transformed providers yet
                continue
            await link.child._sync_for_listing("resources/list", None)
            links.append((link, provider))
        served = set(server._served_by_key("resource"))
        entries: list[dict[str, Any]] = []
        for link, provider in links:
            for entry in provider._skill_entries():
                outer = dict(entry)
                outer["uri"] = link.outer_key("resource", entry["uri"])
                outer["resources"] = [
                    {**file, "uri": link.outer_key("resource", file["uri"])} for file in entry["resources"]
                ]
                entries.append(outer)
        for owner, found in proxied:
            for entry in found:
                if owner is None or not isinstance(entry.get("resources"), list):
                    entries.append(entry)
                    continue
                outer = dict(entry)
                outer["uri"] = owner.outer_key("resource", entry["uri"])
                outer["resources"] = [
                    {**file, "uri": owner.outer_key("resource", file["uri"])} for file in entry["resources"]
                ]
                entries.append(outer)
        counts = Counter(e["uri"] for e in entries)
        if collisions := sorted(uri for uri, n in counts.items() if n > 1):
            _log.warning("Omitting duplicate Skills entries for URIs: %s", ", ".join(collisions))
        return sorted(
            (
                e
                for e in entries
                if counts[e["uri"]] == 1
                and isinstance(e["resources"], list)
                and all(file["uri"] in served for file in e["resources"])
            ),
            key=lambda e: e["uri"],
        )

    async def _list(self, ctx: Any, params: ListSkillsParams) -> ListSkillsResult:
        from ..server._middleware import _decode_cursor, _encode_cursor

        entries = [MCPSkill.model_validate(e) for e in await self._entries()]
        size = getattr(self.server, "list_page_size", None)
        if size is None:
            return ListSkillsResult(skills=entries)
        start = _decode_cursor(params.cursor) if params.cursor is not None else 0
        if start is None:
            raise McpError(code=-32602, message=f"Invalid cursor: {params.cursor}")
        page = entries[start : start + size]
        after = start + size
        return ListSkillsResult(skills=page, next_cursor=_encode_cursor(after) if after < len(entries) else None)

    async def _get(self, ctx: Any, params: GetSkillParams) -> GetSkillResult:
        for entry in await self._entries():
            if entry["uri"] == params.uri:
                return GetSkillResult(skill=MCPSkill.model_validate(entry))
        raise McpError(code=-32602, message=f"Unknown skill URI: {params.uri}")
