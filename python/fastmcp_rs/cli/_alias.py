"""The import hook behind ``fastmcp-rs run``: a file that says ``from fastmcp import ...`` or
``from mcp.server.fastmcp import ...`` gets the ``fastmcp_rs`` modules in their place.

Names are mapped generically, so the hook follows ``fastmcp_rs``'s own layout rather than a table of files:

1. ``fastmcp.X.Y`` (or ``mcp.server.fastmcp.X.Y``) is ``fastmcp_rs.X.Y`` when that module exists (the SDK's
   ``resources.templates`` is FastMCP's ``resources.template``);
2. else ``fastmcp_rs.Y`` (a module that lives at the top level of ``fastmcp_rs`` but deeper in FastMCP,
   e.g. ``fastmcp.server.context`` → ``fastmcp_rs.context``);
3. else the nearest existing plain-module ancestor (``fastmcp.tools.tool`` → ``fastmcp_rs.tools`` while
   ``tools`` is one module rather than a package).

When none exists the import fails with a ``ModuleNotFoundError`` that names the module. Each aliased name
gets its own small module object that forwards attribute access to the ``fastmcp_rs`` module, so classes and
functions are the very same objects (``fastmcp.FastMCP is fastmcp_rs.FastMCP``) while the ``fastmcp_rs``
modules themselves are never modified. Everything else under ``mcp`` (``mcp.types``, ``mcp.server.session``,
...) stays the real SDK; when the SDK is not installed at all, empty ``mcp`` and ``mcp.server`` packages are
provided so ``mcp.server.fastmcp`` can still be imported.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
from collections.abc import Sequence
from typing import Any

__all__ = ["ALIASED", "AliasFinder", "install", "resolve", "uninstall"]

TARGET = "fastmcp_rs"
# Longest prefix first: ``mcp.server.fastmcp`` must not be read as ``mcp`` + something. ``fastmcp_tasks`` (the
# package FastMCP 4 needs for background tasks) is served by ``fastmcp_rs.server.tasks``: the core runs tasks.
ALIASED: tuple[str, ...] = ("mcp.server.fastmcp", "fastmcp_tasks", "fastmcp")
_PACKAGE_HOMES = {"fastmcp_tasks": f"{TARGET}.server.tasks"}
_SDK_PARENTS = ("mcp", "mcp.server")
# The SDK v1 layout's one module whose counterpart in FastMCP's layout has another name.
_SDK_RENAMES = {"resources.templates": "resources.template"}


def _split(fullname: str) -> tuple[str, list[str]] | None:
    """``("fastmcp", ["server", "context"])`` for ``fastmcp.server.context``; ``None`` if not aliased."""
    for prefix in ALIASED:
        if fullname == prefix:
            return prefix, []
        if fullname.startswith(prefix + "."):
            return prefix, fullname[len(prefix) + 1 :].split(".")
    return None


def _spec(name: str) -> importlib.machinery.ModuleSpec | None:
    try:
        return importlib.util.find_spec(name)
    except (ImportError, ValueError):  # a parent is a plain module, or is missing
        return None


def resolve(fullname: str) -> str | None:
    """The ``fastmcp_rs`` module that serves ``fullname``; ``None`` when ``fullname`` is not aliased.
    Raises ``ModuleNotFoundError`` when fastmcp-rs has no counterpart."""
    split = _split(fullname)
    if split is None:
        return None
    prefix, parts = split
    home = _PACKAGE_HOMES.get(prefix)
    if home is not None:
        if parts:
            raise ModuleNotFoundError(
                f"No module named {fullname!r}: fastmcp-rs serves {prefix!r} with {home!r}, which has no "
                "submodules. Run with --no-alias to import the real package instead.",
                name=fullname,
            )
        return home
    exact = ".".join([TARGET, *parts])
    if _spec(exact) is not None:
        return exact
    renamed = _SDK_RENAMES.get(".".join(parts)) if prefix == "mcp.server.fastmcp" else None
    if renamed is not None and _spec(f"{TARGET}.{renamed}") is not None:
        return f"{TARGET}.{renamed}"
    if len(parts) >= 2:
        flat = f"{TARGET}.{parts[-1]}"
        if _spec(flat) is not None:
            return flat
        for end in range(len(parts) - 1, 0, -1):
            ancestor = ".".join([TARGET, *parts[:end]])
            spec = _spec(ancestor)
            if spec is not None:
                if spec.submodule_search_locations is None:
                    return ancestor
                break
    raise ModuleNotFoundError(
        f"No module named {fullname!r}: fastmcp-rs serves {prefix!r} imports with {TARGET!r}, which has no "
        f"{exact!r}. Run with --no-alias to import the real package instead.",
        name=fullname,
    )


class _AliasModule(types.ModuleType):
    """``fastmcp.X``: forwards attribute reads to ``fastmcp_rs.X``."""

    def __getattr__(self, name: str) -> Any:
        target = self.__dict__.get("__fastmcp_rs_target__")
        if target is None or name.startswith("__fastmcp_rs"):
            raise AttributeError(name)
        try:
            return getattr(target, name)
        except AttributeError:
            raise AttributeError(
                f"module {self.__name__!r} (served by {target.__name__!r}) has no attribute {name!r}"
            ) from None

    def __dir__(self) -> list[str]:
        target = self.__dict__.get("__fastmcp_rs_target__")
        return sorted(set(self.__dict__) | set(dir(target) if target is not None else ()))

    def __repr__(self) -> str:
        target = self.__dict__.get("__fastmcp_rs_target__")
        served = f" served by {target.__name__!r}" if target is not None else ""
        return f"<module {self.__name__!r}{served}>"


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return _AliasModule(spec.name)

    def exec_module(self, module: types.ModuleType) -> None:
        target = importlib.import_module(self.target)
        module.__dict__["__fastmcp_rs_target__"] = target
        module.__doc__ = target.__doc__
        if getattr(target, "__file__", None):
            module.__file__ = target.__file__


class _EmptyPackageLoader(importlib.abc.Loader):
    """``mcp`` / ``mcp.server`` when the SDK is not installed: just enough to reach ``mcp.server.fastmcp``."""

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        module.__doc__ = "Stand-in provided by fastmcp-rs: the mcp SDK is not installed."


class AliasFinder(importlib.abc.MetaPathFinder):
    """The ``sys.meta_path`` entry (first in line) that serves the aliased names."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname in _SDK_PARENTS:
            return self._sdk_parent(fullname, path, target)
        served_by = resolve(fullname)
        if served_by is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(served_by), is_package=True)

    def _sdk_parent(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None
    ) -> importlib.machinery.ModuleSpec | None:
        for finder in sys.meta_path:
            if finder is self or isinstance(finder, AliasFinder):
                continue
            find = getattr(finder, "find_spec", None)
            if find is None:
                continue
            spec = find(fullname, path, target)
            if spec is not None:
                return spec
        return importlib.machinery.ModuleSpec(fullname, _EmptyPackageLoader(), is_package=True)


_finder: AliasFinder | None = None


def install() -> AliasFinder:
    """Puts the finder first on ``sys.meta_path`` (idempotent)."""
    global _finder
    if _finder is None:
        _finder = AliasFinder()
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)
    return _finder


def uninstall() -> None:
    """Removes the finder and forgets the aliased modules imported through it."""
    global _finder
    if _finder is not None and _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    _finder = None
    for name, module in list(sys.modules.items()):
        if isinstance(module, _AliasModule) or (
            name in _SDK_PARENTS and isinstance(getattr(module, "__loader__", None), _EmptyPackageLoader)
        ):
            del sys.modules[name]
