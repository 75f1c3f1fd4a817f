"""``fastmcp.server.transforms.version_filter``: ``VersionFilter(version_gte=, version_lt=,
include_unversioned=True)`` serves only the versions in ``[version_gte, version_lt)`` (compared as FastMCP 4
compares versions): the highest of them is listed and served, ``_meta.fastmcp.versions`` names only them, a
version outside the range is answered as an unknown one, and a component with none in range is not there.
Unversioned components stay unless ``include_unversioned=False``. Several servers can serve one
``LocalProvider`` through different filters (one API surface per version)."""

from __future__ import annotations

from typing import Any

from . import _Builtin

__all__ = ["VersionFilter"]


class VersionFilter(_Builtin):
    def __init__(
        self, *, version_gte: str | None = None, version_lt: str | None = None, include_unversioned: bool = True
    ) -> None:
        if version_gte is None and version_lt is None:
            raise ValueError("At least one of version_gte or version_lt must be specified")
        self.version_gte = version_gte
        self.version_lt = version_lt
        self.include_unversioned = include_unversioned

    def __repr__(self) -> str:
        parts = []
        if self.version_gte is not None:
            parts.append(f"version_gte={self.version_gte!r}")
        if self.version_lt is not None:
            parts.append(f"version_lt={self.version_lt!r}")
        if not self.include_unversioned:
            parts.append("include_unversioned=False")
        return f"VersionFilter({', '.join(parts)})"

    def _keeps(self, version: Any) -> bool:
        from .._versions import version_key

        if version is None:
            return self.include_unversioned
        key = version_key(str(version))[:2]
        if self.version_gte is not None and key < version_key(self.version_gte)[:2]:
            return False
        return not (self.version_lt is not None and key >= version_key(self.version_lt)[:2])
