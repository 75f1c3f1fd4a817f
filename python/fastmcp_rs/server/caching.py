"""Caching hints of the 2026-07-28 era (SEP-2549): ``ttlMs`` / ``cacheScope`` on ``server/discover``, the
four lists and ``resources/read``.

As FastMCP 4 spells it, ``FastMCP(cache_ttl=<seconds>, cache_scope="public" | "private")`` sets one hint for
all of them (without it, results say ``ttlMs: 0, cacheScope: "private"``: stale at once). Beyond FastMCP 4,
a component can set its own (``@mcp.tool(cache_ttl=..., cache_scope=...)``, and on resources, templates and
prompts): a ``resources/read`` carries its resource's hint, and a list carries the shortest TTL and the
narrowest scope of what it lists, so no listed component is cached longer than it asked.
"""

from __future__ import annotations

from typing import Any, Literal

__all__ = ["CacheScope", "cache_hint"]

CacheScope = Literal["public", "private"]


def cache_hint(cache_ttl: int | float | None, cache_scope: str | None) -> dict[str, Any]:
    """The core's ``cache_ttl_ms`` / ``cache_public`` for a hint, checked as FastMCP 4 checks it."""
    if cache_ttl is None:
        if cache_scope is not None:
            raise ValueError("cache_scope requires cache_ttl; a scope without a TTL does not enable caching")
        return {}
    if isinstance(cache_ttl, bool) or not isinstance(cache_ttl, (int, float)) or cache_ttl <= 0:
        raise ValueError(f"cache_ttl must be a positive integer, got {cache_ttl}")
    if cache_scope not in (None, "public", "private"):
        raise ValueError(f"cache_scope must be 'public' or 'private', got {cache_scope!r}")
    return {"cache_ttl_ms": int(cache_ttl * 1000), "cache_public": cache_scope == "public"}
