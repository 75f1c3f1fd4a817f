"""``fastmcp.apps.app``: ``FastMCPApp``, a UI's entry tools and the backend tools it calls, served together.

``@app.ui`` registers an entry tool: for the model (``visibility=["model"]``), rendered with Prefab's
renderer. ``@app.tool`` registers a backend tool the UI calls with ``CallTool`` (``visibility=["app"]``;
``model=True`` shows it to the model too). Every tool carries the app's name and its identity hash in
``_meta.fastmcp`` (``app``, ``tool_hash``), so a ``CallTool`` reference in a UI payload can be written as the
identity address ``__<hash>_<name>`` and rewritten, on the way out, to the name the server lists it under.

Add it to a server with ``server.add_provider(app)``, or run it alone with ``app.run()``.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any, Literal, TypeVar

from ..server.providers.base import Provider
from ._prefab import TOOL_HASH_META_KEY, hash_tool, hashed_backend_name, parse_hashed_backend_name
from .config import PREFAB_PLACEHOLDER_URI, AppConfig, app_config_to_meta_dict

__all__ = ["FastMCPApp"]

F = TypeVar("F", bound=Callable[..., Any])


def _check_name(name: str) -> None:
    if parse_hashed_backend_name(name) is not None:
        raise ValueError(
            f"Tool name {name!r} is reserved for generated tool addresses (__<12 lowercase hex>_<name>). "
            "Choose a different tool name."
        )


def _decorate(name_or_fn: Any, name: str | None, register: Callable[[Any, str | None], Any], what: str) -> Any:
    if inspect.isroutine(name_or_fn):
        return register(name_or_fn, name)
    if isinstance(name_or_fn, str):
        if name is not None:
            raise TypeError("Cannot specify both a name as first argument and as keyword argument.")
        chosen: str | None = name_or_fn
    elif name_or_fn is None:
        chosen = name
    else:
        raise TypeError(f"First argument to @{what} must be a function, string, or None, got {type(name_or_fn)}")
    return lambda fn: register(fn, chosen)


class FastMCPApp(Provider):
    """An MCP app: its entry tools (``@app.ui``), its backend tools (``@app.tool``) and its renderer."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self._tools: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"FastMCPApp({self.name!r})"

    def _meta(self, name: str, config: AppConfig) -> dict[str, Any]:
        return {
            "ui": app_config_to_meta_dict(config),
            "fastmcp": {"app": self.name, TOOL_HASH_META_KEY: hash_tool(self.name, name)},
        }

    def _add(self, tool: Any) -> None:
        if tool.name in self._tools:
            raise ValueError(f"Tool already exists: {tool.name}")
        # What a UI's ``CallTool`` names it by when no listed name is its alone; kept by every copy.
        tool._app_address = hashed_backend_name(self.name, tool.name)
        self._tools[tool.name] = tool

    def tool(
        self,
        name_or_fn: Any = None,
        *,
        name: str | None = None,
        description: str | None = None,
        model: bool = False,
        auth: Any = None,
        timeout: float | None = None,
    ) -> Any:
        """A backend tool the UI calls (``CallTool``); ``model=True`` also shows it to the model."""
        visibility: list[Literal["app", "model"]] = ["app", "model"] if model else ["app"]

        def register(fn: Any, chosen: str | None) -> Any:
            from ..tools.function_tool import FunctionTool

            resolved = chosen or getattr(fn, "__name__", None)
            if resolved is None:
                raise ValueError(f"Cannot determine tool name for {fn!r}")
            _check_name(resolved)
            self._add(
                FunctionTool.from_function(
                    fn,
                    name=resolved,
                    description=description,
                    meta=self._meta(resolved, AppConfig(visibility=visibility)),
                    timeout=timeout,
                    auth=auth,
                )
            )
            return fn

        return _decorate(name_or_fn, name, register, "tool")

    def ui(
        self,
        name_or_fn: Any = None,
        *,
        name: str | None = None,
        description: str | None = None,
        title: str | None = None,
        tags: set[str] | None = None,
        icons: list[Any] | None = None,
        annotations: Any = None,
        auth: Any = None,
        timeout: float | None = None,
    ) -> Any:
        """An entry tool the model calls to open the app; what it returns is rendered with Prefab."""

        def register(fn: Any, chosen: str | None) -> Any:
            from ..tools.function_tool import FunctionTool

            resolved = chosen or getattr(fn, "__name__", None) or "unknown"
            _check_name(resolved)
            self._add(
                FunctionTool.from_function(
                    fn,
                    name=chosen,
                    description=description,
                    title=title,
                    tags=tags,
                    icons=icons,
                    annotations=annotations,
                    meta=self._meta(resolved, AppConfig(resource_uri=PREFAB_PLACEHOLDER_URI, visibility=["model"])),
                    timeout=timeout,
                    auth=auth,
                )
            )
            return fn

        return _decorate(name_or_fn, name, register, "ui")

    def add_tool(self, tool: Any) -> Any:
        """A tool of yours (or a function) as one of the app's backend tools."""
        from ..tools.base import Tool
        from ..tools.function_tool import FunctionTool

        if not isinstance(tool, Tool):
            tool = FunctionTool.from_function(tool)
        _check_name(tool.name)
        meta = dict(tool.meta or {})
        fastmcp = dict(meta.get("fastmcp") or {})
        fastmcp.update({"app": self.name, TOOL_HASH_META_KEY: hash_tool(self.name, tool.name)})
        meta["fastmcp"] = fastmcp
        ui = dict(meta.get("ui") or {})
        ui.setdefault("visibility", ["app"])
        meta["ui"] = ui
        tool.meta = meta
        self._add(tool)
        return tool

    # -- the provider ------------------------------------------------------------------------------------------

    async def _list_tools(self) -> Sequence[Any]:
        return list(self._tools.values())

    async def _get_tool(self, name: str, version: Any = None) -> Any:
        return self._tools.get(name)

    @contextlib.asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        yield

    def run(self, transport: Literal["stdio", "http", "sse", "streamable-http"] | None = None, **kwargs: Any) -> None:
        """Serve this app alone (a server named after it)."""
        from ..server.server import FastMCP

        server = FastMCP(self.name)
        server.add_provider(self)
        server.run(transport=transport, **kwargs)
