"""Serve one corpus file over stdio with a reference implementation, the way its own CLI would.

    python ref_serve.py [--sdk-alias] path/to/server.py[:object]

Run with the test virtualenv's Python this is FastMCP 4.2.3; run with a virtualenv holding ``mcp==1.29.0``
it is the official SDK v1. The file is imported under a module name other than ``__main__`` (so its own
``if __name__ == "__main__":`` block does not run, as with ``fastmcp run``), the server object is found as
``fastmcp run`` finds it (``:object``, else ``mcp``, ``server`` or ``app``, else the only server instance,
else a ``create_server()``-style factory),
and served over stdio. ``--sdk-alias`` lets an SDK v1 file (``from mcp.server.fastmcp import ...``) import
FastMCP 4 in its place: the comparison the drop-in promise is about (SDK v1 files answer as FastMCP 4 does).
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import inspect
import sys
import types
from pathlib import Path
from typing import Any

SDK_PREFIX = "mcp.server.fastmcp"


class _SdkToFastMCP(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """``mcp.server.fastmcp[.x.y]`` → the module ``fastmcp[.x.y]`` (the same object)."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if fullname != SDK_PREFIX and not fullname.startswith(SDK_PREFIX + "."):
            return None
        real = "fastmcp" + fullname[len(SDK_PREFIX) :]
        if importlib.util.find_spec(real) is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return importlib.import_module("fastmcp" + spec.name[len(SDK_PREFIX) :])

    def exec_module(self, module: types.ModuleType) -> None:
        return None


def _is_server(value: Any) -> bool:
    return any(klass.__name__ == "FastMCP" for klass in type(value).__mro__)


def find_server(module: types.ModuleType, name: str | None) -> Any:
    if name:
        return getattr(module, name)
    for candidate in ("mcp", "server", "app"):
        value = getattr(module, candidate, None)
        if value is not None and _is_server(value):
            return value
    servers = [v for v in vars(module).values() if _is_server(v)]
    if len(servers) == 1:
        return servers[0]
    for factory in ("create_server", "create_app", "get_server", "make_server"):
        fn = getattr(module, factory, None)
        if callable(fn):
            made = fn()
            if inspect.isawaitable(made):
                made = asyncio.run(made)
            return made
    raise SystemExit(f"no server object found in {module.__file__} (say path.py:object)")


def main() -> None:
    args = sys.argv[1:]
    if args and args[0] == "--sdk-alias":
        sys.meta_path.insert(0, _SdkToFastMCP())
        args = args[1:]
    spec_text = args[0]
    path_text, _, name = spec_text.partition(":") if not spec_text[1:3] == ":\\" else (spec_text, "", "")
    path = Path(path_text).resolve()
    sys.path.insert(0, str(path.parent))
    sys.argv = [str(path)]
    spec = importlib.util.spec_from_file_location("server_under_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["server_under_test"] = module
    spec.loader.exec_module(module)
    server = find_server(module, name or None)
    try:
        server.run(transport="stdio", show_banner=False)
    except TypeError:  # the SDK's run() takes no show_banner
        server.run(transport="stdio")


if __name__ == "__main__":
    main()
