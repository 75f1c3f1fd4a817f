"""``FastMCP``: the server object users build, decorate and run. Python keeps the registry of user
functions; the native core (``_core.NativeServer``) serves the protocol."""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from . import _core
from .context import Context
from .exceptions import FastMCPError
from .tools import _MISSING, Tool

if TYPE_CHECKING:
    import asyncio

__all__ = ["FastMCP"]

F = TypeVar("F", bound=Callable[..., Any])

Transport = Literal["stdio", "http", "streamable-http", "sse"]

_PACKAGE_VERSION = _core.__version__


class FastMCP:
    """An MCP server. Drop-in for ``fastmcp.FastMCP`` and ``mcp.server.fastmcp.FastMCP``."""

    def __init__(
        self,
        name: str | None = None,
        instructions: str | None = None,
        *,
        version: str | None = None,
        website_url: str | None = None,
        title: str | None = None,
        mask_error_details: bool | None = None,
        list_page_size: int | None = None,
        tools: list[Callable[..., Any] | Tool] | None = None,
        host: str = "127.0.0.1",
        port: int = 8000,
        streamable_http_path: str = "/mcp",
        json_response: bool = False,
        stateless_http: bool = False,
        max_body_bytes: int = 4 * 1024 * 1024,
        max_sessions: int = 100_000,
        session_idle_timeout: float = 1800.0,
        max_concurrent_requests: int = 4096,
        max_threads: int = 40,
        **settings: Any,
    ) -> None:
        self.name = name if name is not None else f"FastMCP-{os.urandom(2).hex()}"
        self.instructions = instructions
        self.version = str(version) if version is not None else _PACKAGE_VERSION
        self.website_url = website_url
        self.title = title
        if mask_error_details is None:
            mask_error_details = os.environ.get("FASTMCP_MASK_ERROR_DETAILS", "").lower() in ("1", "true", "yes")
        self.mask_error_details = mask_error_details
        self.list_page_size = list_page_size
        self.settings: dict[str, Any] = {
            "host": host,
            "port": port,
            "streamable_http_path": streamable_http_path,
            "json_response": json_response,
            "stateless_http": stateless_http,
            "max_body_bytes": max_body_bytes,
            "max_sessions": max_sessions,
            "session_idle_timeout": session_idle_timeout,
            "max_concurrent_requests": max_concurrent_requests,
            **settings,
        }
        self._tools: dict[str, Tool] = {}
        self._native = _core.NativeServer(
            self.name,
            self.version,
            tool_error=FastMCPError,
            context_factory=self._make_context,
            instructions=instructions,
            title=title,
            website_url=website_url,
            list_page_size=list_page_size,
            mask_error_details=mask_error_details,
            max_threads=max_threads,
        )
        for tool in tools or ():
            self.add_tool(tool)

    def __repr__(self) -> str:
        return f"FastMCP({self.name!r})"

    def _make_context(self, handle: _core.RequestHandle) -> Context:
        return Context(handle, self)

    # -- tools ---------------------------------------------------------------------------------------

    @overload
    def tool(self, name_or_fn: F, **kwargs: Any) -> F: ...

    @overload
    def tool(self, name_or_fn: str | None = None, **kwargs: Any) -> Callable[[F], F]: ...

    def tool(
        self,
        name_or_fn: Any = None,
        *,
        name: str | None = None,
        title: str | None = None,
        description: str | None = None,
        tags: set[str] | None = None,
        annotations: Any = None,
        meta: dict[str, Any] | None = None,
        output_schema: Any = _MISSING,
        timeout: float | None = None,
        enabled: bool = True,
        **_ignored: Any,
    ) -> Any:
        """Registers a function as a tool. Works as ``@mcp.tool``, ``@mcp.tool()``, ``@mcp.tool("name")``
        and ``mcp.tool(fn, name=...)``; returns the function unchanged."""
        options = dict(
            title=title,
            description=description,
            tags=tags,
            annotations=annotations,
            meta=meta,
            output_schema=output_schema,
            timeout=timeout,
            enabled=enabled,
        )
        if isinstance(name_or_fn, classmethod):
            raise ValueError("To decorate a classmethod, put @classmethod above @mcp.tool")
        if callable(name_or_fn) and not isinstance(name_or_fn, str):
            self.add_tool(Tool.from_function(name_or_fn, name=name, **options))
            return name_or_fn
        if isinstance(name_or_fn, str) and name is not None:
            raise TypeError("Pass the tool name either positionally or as name=, not both")
        tool_name = name_or_fn if isinstance(name_or_fn, str) else name

        def decorator(fn: F) -> F:
            self.add_tool(Tool.from_function(fn, name=tool_name, **options))
            return fn

        return decorator

    def add_tool(self, tool: Tool | Callable[..., Any], **kwargs: Any) -> Tool:
        """Adds a ``Tool`` (or a function, built into one) at any time, also while serving."""
        if not isinstance(tool, Tool):
            tool = Tool.from_function(tool, **kwargs)
        self._tools[tool.name] = tool
        if tool.enabled:
            self._register(tool)
        else:
            self._native.remove_tool(tool.name)
        return tool

    def remove_tool(self, name: str) -> None:
        """Removes a tool; raises ``NotFoundError`` if there is none by that name."""
        from .exceptions import NotFoundError

        if self._tools.pop(name, None) is None:
            raise NotFoundError(f"Unknown tool: {name!r}")
        self._native.remove_tool(name)

    def _register(self, tool: Tool) -> None:
        self._native.add_tool(
            json.dumps(tool.to_mcp_tool(), ensure_ascii=False),
            tool.fn,
            is_async=tool.is_async,
            prepare=tool.prepare,
            convert=tool.convert,
            context_param=tool.context_param,
            plain_arguments=tool.plain_arguments,
            result_shape=tool.result_shape,
            timeout=tool.timeout,
        )

    async def get_tools(self) -> dict[str, Tool]:
        return dict(self._tools)

    async def list_tools(self) -> list[Tool]:
        return [t for t in self._tools.values() if t.enabled]

    # -- running -------------------------------------------------------------------------------------

    def run(self, transport: Transport | None = None, **transport_kwargs: Any) -> None:
        """Serves until stdin closes (stdio) or SIGINT/SIGTERM arrives."""
        # Over stdio the core starts serving before asyncio is even imported: `initialize`, listings and `def`
        # tools need no event loop, and calls to `async def` tools wait in the core's queue until the loop
        # below starts draining it. A client's first answer does not wait for asyncio's import.
        early = self._native.start_stdio(None) if (transport or "stdio") == "stdio" else None
        import asyncio

        try:
            if early is not None:
                asyncio.run(self._serve_started(early))
            else:
                asyncio.run(self.run_async(transport, **transport_kwargs))
        except KeyboardInterrupt:
            pass
        finally:
            if early is not None:
                early.shutdown()
                early.close()

    async def _serve_started(self, handle: _core.ServerHandle) -> None:
        import asyncio

        loop = asyncio.get_running_loop()
        self._native.attach_loop(loop.create_task)
        await self._serve(loop, handle)

    async def run_async(self, transport: Transport | None = None, **transport_kwargs: Any) -> None:
        transport = transport or "stdio"
        if transport == "stdio":
            await self.run_stdio_async(**transport_kwargs)
        elif transport in ("http", "streamable-http"):
            await self.run_http_async(**transport_kwargs)
        elif transport == "sse":
            raise NotImplementedError("the legacy SSE transport is not supported yet; use transport='http'")
        else:
            raise ValueError(f"Unknown transport: {transport!r}")

    async def run_stdio_async(self, show_banner: bool = True, **_ignored: Any) -> None:
        import asyncio

        loop = asyncio.get_running_loop()
        handle = self._native.start_stdio(loop.create_task)
        await self._serve(loop, handle)

    async def run_http_async(
        self,
        host: str | None = None,
        port: int | None = None,
        path: str | None = None,
        *,
        json_response: bool | None = None,
        stateless_http: bool | None = None,
        log_level: str | None = None,
        show_banner: bool = True,
        dns_rebinding_protection: bool | None = None,
        allowed_hosts: list[str] | None = None,
        allowed_origins: list[str] | None = None,
        **limits: Any,
    ) -> None:
        # Limits may be given to run() as well as to the constructor.
        s = {**self.settings, **{k: v for k, v in limits.items() if k in self.settings and v is not None}}
        import asyncio

        loop = asyncio.get_running_loop()
        handle = self._native.start_http(
            loop.create_task,
            host or s["host"],
            int(port if port is not None else s["port"]),
            path=path or s.get("path") or s["streamable_http_path"],
            json_response=s["json_response"] if json_response is None else json_response,
            stateless=s["stateless_http"] if stateless_http is None else stateless_http,
            max_body_bytes=int(s["max_body_bytes"]),
            max_sessions=int(s["max_sessions"]),
            session_idle_timeout=float(s["session_idle_timeout"]),
            max_concurrent_requests=int(s["max_concurrent_requests"]),
            dns_rebinding_protection=dns_rebinding_protection,
            allowed_hosts=list(allowed_hosts or ()),
            allowed_origins=list(allowed_origins or ()),
        )
        bound_host, bound_port = handle.address
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        url_path = path or s.get("path") or s["streamable_http_path"]
        print(
            f"fastmcp-rs: serving {self.name!r} on http://{shown}:{bound_port}{url_path}", file=sys.stderr, flush=True
        )
        await self._serve(loop, handle)

    async def _serve(self, loop: asyncio.AbstractEventLoop, handle: _core.ServerHandle) -> None:
        import asyncio

        loop.add_reader(handle.fileno(), handle.drain)
        installed = []
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, handle.shutdown)
                installed.append(sig)
            except (NotImplementedError, RuntimeError, ValueError):
                pass  # not the main thread: the caller stops us
        try:
            closed = loop.create_future()
            handle.wait_closed(closed)
            await closed
        except asyncio.CancelledError:
            handle.shutdown()
            raise
        finally:
            for sig in installed:
                loop.remove_signal_handler(sig)
            loop.remove_reader(handle.fileno())
            handle.close()
