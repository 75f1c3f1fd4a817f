"""Importing a server file and finding its server, with FastMCP's rules.

With an object name (``server.py:app`` or ``source.entrypoint``) that object is served; a function there is a
factory, called (or awaited) with no arguments. Without one: the first of ``mcp``, ``server`` and ``app``
that is a server; else the one server instance in the module; else a factory function named
``create_server`` (or ``create_mcp_server``, ``create_mcp``, ``create_app``, ``make_server``, ``get_server``).
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import inspect
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from fastmcp_rs import FastMCP

from ._config import CliError

__all__ = ["FACTORY_NAMES", "WELL_KNOWN_NAMES", "Found", "find_server", "import_file", "load_server"]

WELL_KNOWN_NAMES = ("mcp", "server", "app")
FACTORY_NAMES = ("create_server", "create_mcp_server", "create_mcp", "create_app", "make_server", "get_server")
_FALLBACK_MODULE = "_fastmcp_rs_server"


def _module_name(path: Path) -> str:
    """The file's stem, so that sibling modules doing ``from server import mcp`` get this very module, unless
    that name would shadow the standard library or something else already importable."""
    stem = path.stem
    if not stem.isidentifier() or stem in sys.modules or stem in getattr(sys, "stdlib_module_names", ()):
        return _FALLBACK_MODULE
    try:
        spec = importlib.util.find_spec(stem)
    except (ImportError, ValueError):
        return _FALLBACK_MODULE
    if spec is None or (spec.origin and Path(spec.origin).resolve() == path.resolve()):
        return stem
    return _FALLBACK_MODULE


def import_file(path: Path) -> ModuleType:
    """Imports ``path`` as a module (not as ``__main__``: its ``if __name__ == "__main__"`` block does not run),
    with its directory first on ``sys.path``."""
    if not path.exists():
        raise CliError(f"no such file: {path}")
    if not path.is_file():
        raise CliError(f"not a file: {path}")
    directory = str(path.parent)
    if directory not in sys.path:
        sys.path.insert(0, directory)
    name = _module_name(path)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise CliError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(name, None)
        traceback.print_exc(file=sys.stderr)
        raise CliError(f"importing {path} failed: {type(exc).__name__}: {exc}") from None
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def _foreign_class(obj: Any) -> type | None:
    """The FastMCP-like class of a server that is not ours (real ``fastmcp.FastMCP``, the SDK's ``MCPServer``)."""
    for klass in type(obj).__mro__:
        if klass.__name__ in ("FastMCP", "MCPServer", "MCPServerBase") and not klass.__module__.startswith(
            "fastmcp_rs"
        ):
            return klass
    return None


def _foreign_error(obj: Any, name: str, path: Path, aliasing: bool) -> CliError:
    klass = _foreign_class(obj)
    assert klass is not None
    top = klass.__module__.split(".")[0]
    origin = getattr(sys.modules.get(top), "__file__", None) or "?"
    hint = (
        "--no-alias was given, so the file imported the real package; run without --no-alias to serve it "
        "with fastmcp-rs"
        if not aliasing
        else f"make it a fastmcp_rs.FastMCP (from fastmcp_rs import FastMCP, or from {top} import FastMCP)"
    )
    return CliError(
        f"{name!r} in {path.name} is a {klass.__module__}.{klass.__qualname__} (imported from {origin}), "
        f"not a fastmcp_rs.FastMCP: {hint}"
    )


def _is_factory(obj: Any) -> bool:
    return inspect.isfunction(obj) or inspect.iscoroutinefunction(obj)


@dataclass
class Found:
    """A server found in a module: the instance itself, or the factory that makes it."""

    name: str
    path: Path
    aliasing: bool
    server: FastMCP | None = None
    factory: Callable[[], Any] | None = None

    @property
    def is_async_factory(self) -> bool:
        return self.factory is not None and inspect.iscoroutinefunction(self.factory)

    def _check(self, server: Any) -> FastMCP:
        if isinstance(server, FastMCP):
            return server
        if _foreign_class(server) is not None:
            raise _foreign_error(server, f"{self.name}()", self.path, self.aliasing)
        raise CliError(
            f"factory {self.name}() in {self.path.name} must return a FastMCP server, got {type(server).__name__}"
        )

    def _failed(self, exc: Exception) -> CliError:
        traceback.print_exc(file=sys.stderr)
        return CliError(f"factory {self.name}() in {self.path.name} failed: {type(exc).__name__}: {exc}")

    def build(self) -> FastMCP:
        """The server; an async factory is run to completion on its own event loop."""
        if self.server is not None:
            return self.server
        assert self.factory is not None
        try:
            result = asyncio.run(self.factory()) if self.is_async_factory else self.factory()
            if inspect.isawaitable(result):
                result = asyncio.run(_await(result))
        except Exception as exc:
            raise self._failed(exc) from None
        return self._check(result)

    async def build_async(self) -> FastMCP:
        """The server, inside the running loop (an async factory is awaited on the loop that will serve)."""
        if self.server is not None:
            return self.server
        assert self.factory is not None
        try:
            result = self.factory()
            if inspect.isawaitable(result):
                result = await result
        except Exception as exc:
            raise self._failed(exc) from None
        return self._check(result)


async def _await(awaitable: Any) -> Any:
    return await awaitable


def _found(obj: Any, name: str, path: Path, aliasing: bool) -> Found:
    if isinstance(obj, FastMCP):
        return Found(name, path, aliasing, server=obj)
    if _is_factory(obj):
        return Found(name, path, aliasing, factory=obj)
    if _foreign_class(obj) is not None:
        raise _foreign_error(obj, name, path, aliasing)
    raise CliError(f"{name!r} in {path.name} is a {type(obj).__name__}, not a FastMCP server or a factory function")


def find_server(module: ModuleType, path: Path, entrypoint: str | None = None, *, aliasing: bool = True) -> Found:
    """The server (or its factory) in an imported server file."""
    if entrypoint:
        if ":" in entrypoint:  # legacy "package.module:object"
            module_name, _, attr = entrypoint.partition(":")
            try:
                module = importlib.import_module(module_name)
            except ImportError as exc:
                raise CliError(f"cannot import module {module_name!r}: {exc}") from None
        else:
            attr = entrypoint
        if not hasattr(module, attr):
            raise CliError(f"no object named {attr!r} in {path.name}")
        return _found(getattr(module, attr), attr, path, aliasing)

    namespace = vars(module)
    for name in WELL_KNOWN_NAMES:
        obj = namespace.get(name)
        if isinstance(obj, FastMCP):
            return Found(name, path, aliasing, server=obj)
        if obj is not None and _foreign_class(obj) is not None:
            raise _foreign_error(obj, name, path, aliasing)
    servers: dict[int, str] = {}
    for name, obj in namespace.items():
        if isinstance(obj, FastMCP) and not name.startswith("__"):
            servers.setdefault(id(obj), name)
    if len(servers) == 1:
        name = next(iter(servers.values()))
        return Found(name, path, aliasing, server=namespace[name])
    if len(servers) > 1:
        names = ", ".join(sorted(servers.values()))
        raise CliError(
            f"{path.name} has several FastMCP servers ({names}): name one, e.g. {path.name}:{names.split(',')[0]}"
        )
    for name in FACTORY_NAMES:
        obj = namespace.get(name)
        if obj is not None and _is_factory(obj):
            return Found(name, path, aliasing, factory=obj)
    for name, obj in namespace.items():
        if _foreign_class(obj) is not None and not isinstance(obj, type):
            raise _foreign_error(obj, name, path, aliasing)
    raise CliError(
        f"no server found in {path}: name it mcp, server or app, give a factory function create_server(), "
        f"or name the object as {path.name}:object (source.entrypoint in fastmcp.json)"
    )


def load_server(path: Path, entrypoint: str | None = None, *, aliasing: bool = True) -> Found:
    """Imports the file and finds its server (not yet built when it comes from a factory)."""
    return find_server(import_file(path), path, entrypoint, aliasing=aliasing)
