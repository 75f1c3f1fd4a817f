"""``fastmcp.utilities.versions``: ``VersionSpec``, a version or a range of versions that components are
matched against (``Visibility(version=)``, ``ctx.enable_components(version=)``).

Versions compare as PEP 440 versions once a leading ``v`` is dropped (``1 == 1.0``, ``10 > 2``); one that is not
PEP 440 sorts above every one that is, and those among themselves as strings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["VersionSpec", "dedupe_with_versions", "version_key"]


def version_key(version: str | None) -> tuple[Any, ...]:
    """Sort key: ``None`` lowest, then PEP 440 versions, then other strings."""
    if version is None:
        return (0,)
    text = re.sub(r"^v+", "", str(version))
    try:
        from packaging.version import InvalidVersion, Version
    except ImportError:  # packaging is nearly always there; a plain numeric reading otherwise
        parts = text.split(".")
        if all(p.isdigit() for p in parts):
            numbers = [int(p) for p in parts]
            while numbers and numbers[-1] == 0:
                numbers.pop()
            return (1, tuple(numbers), str(version))
        return (2, text, str(version))
    try:
        return (1, Version(text), str(version))
    except InvalidVersion:
        return (2, text, str(version))


def _key(version: str) -> tuple[object, ...]:
    return version_key(version)[:2]


@dataclass
class VersionSpec:
    """``eq``: exactly this version (``gte``/``lt`` are then ignored); else ``gte <= version < lt`` for the
    bounds given. An unversioned component matches when ``match_none`` (the default)."""

    gte: str | None = None
    lt: str | None = None
    eq: str | None = None

    def matches(self, version: str | None, *, match_none: bool = True) -> bool:
        if version is None:
            return match_none
        if self.eq is not None:
            return _key(version) == _key(self.eq)
        key = _key(version)
        if self.gte is not None and key < _key(self.gte):  # type: ignore[operator]
            return False
        return self.lt is None or key < _key(self.lt)  # type: ignore[operator]

    def intersect(self, other: VersionSpec | None) -> VersionSpec:
        """A spec that both this one and ``other`` allow (an impossible one when they exclude each other)."""
        if other is None:
            return self
        if self.eq is not None:
            return self if other.matches(self.eq) else VersionSpec(eq="__impossible__")
        if other.eq is not None:
            return other if self.matches(other.eq) else VersionSpec(eq="__impossible__")

        def pick(a: str | None, b: str | None, higher: bool) -> str | None:
            if a is None or b is None:
                return a if b is None else b
            return (max if higher else min)(a, b, key=_key)  # type: ignore[type-var]

        return VersionSpec(gte=pick(self.gte, other.gte, True), lt=pick(self.lt, other.lt, False))


def dedupe_with_versions(components: Any, key_fn: Any) -> list[Any]:
    """One component per key (``key_fn(component)``), in the order the keys first appear: the highest version
    of each, with every version of it named in ``meta["fastmcp"]["versions"]`` (highest first) when any is
    versioned, as FastMCP 4's listings write them."""
    groups: dict[Any, list[Any]] = {}
    for component in components:
        groups.setdefault(key_fn(component), []).append(component)
    found = []
    for group in groups.values():
        highest = max(group, key=lambda c: (version_key(getattr(c, "version", None)), str(c.version or "")))
        versions = [c.version for c in group if getattr(c, "version", None) is not None]
        if versions and len(group) > 1:
            ordered = sorted(versions, key=lambda v: (version_key(v), v), reverse=True)
            meta = dict(highest.meta or {})
            meta["fastmcp"] = {**(meta.get("fastmcp") or {}), "versions": ordered}
            highest = highest.model_copy(update={"meta": meta})
        found.append(highest)
    return found
