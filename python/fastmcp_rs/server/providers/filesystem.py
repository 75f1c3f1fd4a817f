"""``fastmcp.server.providers.filesystem``: ``FileSystemProvider(root, reload=False)`` registers the tools,
resources, templates and prompts it finds in the Python files under ``root``, as FastMCP 4 finds them: the
files in path order (``__init__.py`` and ``__pycache__`` skipped), in each the names in alphabetical order
that are components, or functions marked with the standalone ``@tool`` / ``@resource`` / ``@prompt``
decorators. A file that fails to import is logged and listed in ``failed_files``; the others still load.
``reload=True`` (FastMCP's development mode, a scan on every request) scans once, at start."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import logging
import sys
from pathlib import Path
from typing import Any

from .local_provider import LocalProvider

__all__ = ["FileSystemProvider"]

_log = logging.getLogger("fastmcp.server.providers.filesystem")


def _import(path: Path, root: Path) -> Any:
    """Imports ``path``: as a package member when its folder is a package (up to ``root``), else on its own."""
    package_root = path.parent
    while (
        (package_root / "__init__.py").exists()
        and package_root.parent != package_root
        and (package_root != root and root in package_root.parents)
    ):
        package_root = package_root.parent
    added = str(package_root if (path.parent / "__init__.py").exists() else path.parent)
    sys.path.insert(0, added)
    try:
        if (path.parent / "__init__.py").exists():
            dotted = ".".join(path.relative_to(package_root).with_suffix("").parts)
            return importlib.import_module(dotted)
        name = path.stem
        if name in sys.modules:
            name = f"_fastmcp_{path.stem}_{hashlib.sha1(str(path).encode()).hexdigest()[:12]}"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            sys.modules.pop(name, None)
            raise
        return module
    finally:
        sys.path.remove(added)


class FileSystemProvider(LocalProvider):
    """Components discovered in the Python files under ``root`` (see the module's documentation)."""

    def __init__(self, root: str | Path = ".", reload: bool = False) -> None:
        super().__init__(on_duplicate="replace")
        self._root = Path(root).resolve()
        self._reload = reload
        self._failed: dict[Path, str] = {}
        self._scan()

    def __repr__(self) -> str:
        return f"FileSystemProvider(root={str(self._root)!r}, reload={self._reload})"

    @property
    def failed_files(self) -> dict[Path, str]:
        return dict(self._failed)

    def _scan(self) -> None:
        from ..._components import META_ATTRIBUTE
        from ...prompts.base import Prompt
        from ...resources.base import Resource
        from ...resources.template import ResourceTemplate
        from ...tools.base import Tool

        if not self._root.exists():
            _log.warning("FileSystemProvider root does not exist: %s", self._root)
            return
        files = (
            [self._root]
            if self._root.is_file()
            else sorted(p for p in self._root.rglob("*.py") if p.name != "__init__.py" and "__pycache__" not in p.parts)
        )
        for path in files:
            try:
                module = _import(path, self._root)
            except Exception as e:
                _log.warning("Failed to load %s: %s", path, e)
                self._failed[path] = str(e)
                continue
            for name in sorted(dir(module)):
                if name.startswith("_"):
                    continue
                value = getattr(module, name)
                try:
                    if isinstance(value, Tool):
                        self.add_tool(value)
                    elif isinstance(value, (Resource, ResourceTemplate)):
                        self.add_resource(value)
                    elif isinstance(value, Prompt):
                        self.add_prompt(value)
                    elif callable(value) and isinstance(getattr(value, META_ATTRIBUTE, None), dict):
                        kind = getattr(value, META_ATTRIBUTE).get("type")
                        if kind == "tool":
                            self.add_tool(value)
                        elif kind == "resource":
                            self.add_resource(value)
                        elif kind == "prompt":
                            self.add_prompt(value)
                except Exception as e:
                    _log.exception("Failed to register %s from %s", name, path)
                    self._failed[path] = str(e)
