"""``FastMCP``: the server object users build, decorate and run. Python keeps the registry of user
functions; the native core (``_core.NativeServer``) serves the protocol."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from . import _core
from .context import Context, _serving, current_request
from .exceptions import FastMCPError, McpError
from .prompts import Prompt
from .resources import DEFAULT_RESOURCE_SECURITY, Resource, ResourceSecurity, ResourceTemplate
from .tools import _MISSING, Tool

if TYPE_CHECKING:
    import asyncio

__all__ = ["FastMCP"]

F = TypeVar("F", bound=Callable[..., Any])

Transport = Literal["stdio", "http", "streamable-http", "sse"]

Kind = Literal["tool", "resource", "template", "prompt"]
_LIST_OF = {"tool": "tools", "resource": "resources", "template": "resources", "prompt": "prompts"}


class _Rule:
    """One ``enable``/``disable`` call: later rules win."""

    __slots__ = ("components", "enable", "keys", "match_all", "names", "tags")

    def __init__(
        self,
        enable: bool,
        *,
        names: set[str] | None = None,
        keys: set[str] | None = None,
        tags: set[str] | None = None,
        components: set[str] | None = None,
        match_all: bool = False,
    ) -> None:
        self.enable = enable
        self.names = set(names or ())
        self.keys = set(keys or ())
        self.tags = set(tags or ())
        self.components = set(components or ())
        self.match_all = match_all

    def matches(self, kind: Kind, key: str, name: str, tags: set[str]) -> bool:
        if self.match_all:
            return True
        if not (self.names or self.keys or self.tags or self.components):
            return False
        if self.components and kind not in self.components:
            return False
        if self.names and not ({key, name} & self.names):
            return False
        if self.keys and f"{kind}:{key}@" not in self.keys:
            return False
        return not self.tags or bool(self.tags & tags)


class _LocalProvider:
    """``mcp.local_provider``: FastMCP 4's spelling for removing components (``KeyError`` when missing)."""

    def __init__(self, server: FastMCP) -> None:
        self._server = server

    def remove_tool(self, name: str, version: Any = None) -> None:
        if name not in self._server._tools:
            raise KeyError(f"Tool {name!r} not found")
        self._server.remove_tool(name)

    def remove_resource(self, uri: str, version: Any = None) -> None:
        if uri not in self._server._resources:
            raise KeyError(f"Resource {uri!r} not found")
        self._server.remove_resource(uri)

    def remove_template(self, uri_template: str, version: Any = None) -> None:
        if uri_template not in self._server._templates:
            raise KeyError(f"Template {uri_template!r} not found")
        self._server.remove_template(uri_template)

    def remove_prompt(self, name: str, version: Any = None) -> None:
        if name not in self._server._prompts:
            raise KeyError(f"Prompt {name!r} not found")
        self._server.remove_prompt(name)


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
        lifespan: Callable[[Any], Any] | None = None,
        resource_security: ResourceSecurity | None = DEFAULT_RESOURCE_SECURITY,
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
        self._resources: dict[str, Resource] = {}
        self._templates: dict[str, ResourceTemplate] = {}
        self._prompts: dict[str, Prompt] = {}
        self._rules: list[_Rule] = []
        self._live: set[tuple[str, str]] = set()
        self._completion_handler: Callable[..., Any] | None = None
        self._lifespan = lifespan
        self._lifespan_result: Any = {}
        self.resource_security = resource_security
        self.local_provider = _LocalProvider(self)
        self._native = _core.NativeServer(
            self.name,
            self.version,
            tool_error=FastMCPError,
            mcp_error=McpError,
            current=current_request,
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
        """Adds a ``Tool`` (or a function, built into one) at any time, also while serving: connected clients
        are told (``notifications/tools/list_changed``)."""
        if not isinstance(tool, Tool):
            tool = Tool.from_function(tool, **kwargs)
        self._tools[tool.name] = tool
        self._place("tool", tool.name, tool)
        return tool

    def remove_tool(self, name: str) -> None:
        """Removes a tool; raises ``NotFoundError`` if there is none by that name."""
        from .exceptions import NotFoundError

        if self._tools.pop(name, None) is None:
            raise NotFoundError(f"Unknown tool: {name!r}")
        self._unplace("tool", name)

    def _register_tool(self, tool: Tool) -> None:
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
        return [t for t in self._tools.values() if self._visible("tool", t.name, t)]

    # -- resources -----------------------------------------------------------------------------------

    def resource(
        self,
        uri: str,
        *,
        name: str | None = None,
        title: str | None = None,
        description: str | None = None,
        mime_type: str | None = None,
        tags: set[str] | None = None,
        annotations: Any = None,
        meta: dict[str, Any] | None = None,
        enabled: bool = True,
        security: Any = "inherit",
        **_ignored: Any,
    ) -> Callable[[F], F]:
        """Registers a function as a resource (``"data://config"``) or, when the URI has parameters, a
        resource template (``"users://{user_id}/profile"``, ``"files://{path*}"``, ``"search://x{?q,limit}"``).
        Returns the function unchanged."""
        if callable(uri):
            raise TypeError("The @resource decorator needs a URI: use @mcp.resource('scheme://path')")

        def decorator(fn: F) -> F:
            self.add_resource(
                Resource.from_function(
                    fn,
                    uri,
                    name=name,
                    title=title,
                    description=description,
                    mime_type=mime_type,
                    tags=tags,
                    annotations=annotations,
                    meta=meta,
                    enabled=enabled,
                    security=security,
                    server=self,
                )
            )
            return fn

        return decorator

    def add_resource(self, resource: Resource | Callable[..., Any], uri: str | None = None, **kwargs: Any) -> Resource:
        """Adds a ``Resource`` or ``ResourceTemplate`` (or a function with its ``uri``), also while serving."""
        if not isinstance(resource, Resource):
            if uri is None:
                raise TypeError("add_resource(fn) needs the uri")
            resource = Resource.from_function(resource, uri, server=self, **kwargs)
        resource.server = self
        if isinstance(resource, ResourceTemplate):
            self._templates[resource.uri_template] = resource
            self._place("template", resource.uri_template, resource)
        else:
            self._resources[resource.uri] = resource
            self._place("resource", resource.uri, resource)
        return resource

    add_template = add_resource

    def remove_resource(self, uri: str) -> None:
        from .exceptions import NotFoundError

        if self._resources.pop(uri, None) is None:
            raise NotFoundError(f"Unknown resource: {uri!r}")
        self._unplace("resource", uri)

    def remove_template(self, uri_template: str) -> None:
        from .exceptions import NotFoundError

        if self._templates.pop(uri_template, None) is None:
            raise NotFoundError(f"Unknown resource template: {uri_template!r}")
        self._unplace("template", uri_template)

    def notify_resource_updated(self, uri: str) -> int:
        """Sends ``notifications/resources/updated`` to the clients subscribed to ``uri``; returns how many."""
        return self._native.resource_updated(str(uri))

    async def get_resources(self) -> dict[str, Resource]:
        return dict(self._resources)

    async def get_resource_templates(self) -> dict[str, ResourceTemplate]:
        return dict(self._templates)

    async def list_resources(self) -> list[Resource]:
        return [r for r in self._resources.values() if self._visible("resource", r.uri, r)]

    async def list_resource_templates(self) -> list[ResourceTemplate]:
        return [t for t in self._templates.values() if self._visible("template", t.uri_template, t)]

    # -- prompts -------------------------------------------------------------------------------------

    def prompt(
        self,
        name_or_fn: Any = None,
        *,
        name: str | None = None,
        title: str | None = None,
        description: str | None = None,
        tags: set[str] | None = None,
        meta: dict[str, Any] | None = None,
        enabled: bool = True,
        **_ignored: Any,
    ) -> Any:
        """Registers a function as a prompt: ``@mcp.prompt``, ``@mcp.prompt()``, ``@mcp.prompt("name")``,
        ``mcp.prompt(fn, name=...)``. Returns the function unchanged."""
        options = dict(title=title, description=description, tags=tags, meta=meta, enabled=enabled)
        if callable(name_or_fn) and not isinstance(name_or_fn, str):
            self.add_prompt(Prompt.from_function(name_or_fn, name=name, server=self, **options))
            return name_or_fn
        if isinstance(name_or_fn, str) and name is not None:
            raise TypeError("Pass the prompt name either positionally or as name=, not both")
        prompt_name = name_or_fn if isinstance(name_or_fn, str) else name

        def decorator(fn: F) -> F:
            self.add_prompt(Prompt.from_function(fn, name=prompt_name, server=self, **options))
            return fn

        return decorator

    def add_prompt(self, prompt: Prompt | Callable[..., Any], **kwargs: Any) -> Prompt:
        if not isinstance(prompt, Prompt):
            prompt = Prompt.from_function(prompt, server=self, **kwargs)
        prompt.server = self
        self._prompts[prompt.name] = prompt
        self._place("prompt", prompt.name, prompt)
        return prompt

    def remove_prompt(self, name: str) -> None:
        from .exceptions import NotFoundError

        if self._prompts.pop(name, None) is None:
            raise NotFoundError(f"Unknown prompt: {name!r}")
        self._unplace("prompt", name)

    async def get_prompts(self) -> dict[str, Prompt]:
        return dict(self._prompts)

    async def list_prompts(self) -> list[Prompt]:
        return [p for p in self._prompts.values() if self._visible("prompt", p.name, p)]

    # -- completion ------------------------------------------------------------------------------------

    def completion(self, handler: Callable[..., Any] | None = None) -> Any:
        """Registers the server's ``completion/complete`` handler: ``(ref, argument, context)`` returning a
        list of strings, a ``Completion`` or ``None``; sync or async. ``@mcp.completion`` or ``@mcp.completion()``."""
        if handler is None:
            return self.add_completion_handler
        return self.add_completion_handler(handler)

    def add_completion_handler(self, handler: Callable[..., Any]) -> Callable[..., Any]:
        from .completions import CompletionRunner

        runner = CompletionRunner(handler)
        self._completion_handler = handler
        self._native.set_completion(runner.complete, is_async=runner.is_async)
        return handler

    # -- visibility --------------------------------------------------------------------------------------

    def enable(
        self,
        *,
        names: set[str] | None = None,
        keys: set[str] | None = None,
        version: Any = None,
        tags: set[str] | None = None,
        components: set[Kind] | None = None,
        only: bool = False,
    ) -> FastMCP:
        """Shows the components that match every given criterion (later calls win); with ``only=True``,
        hides everything else. Connected clients are told what changed."""
        if only:
            self._rules.append(_Rule(False, match_all=True))
        self._rules.append(_Rule(True, names=names, keys=keys, tags=tags, components=components))
        self._sync_visibility()
        return self

    def disable(
        self,
        *,
        names: set[str] | None = None,
        keys: set[str] | None = None,
        version: Any = None,
        tags: set[str] | None = None,
        components: set[Kind] | None = None,
    ) -> FastMCP:
        """Hides the components that match every given criterion (``enable`` later shows them again).
        Hidden components answer exactly as missing ones do. Connected clients are told what changed."""
        self._rules.append(_Rule(False, names=names, keys=keys, tags=tags, components=components))
        self._sync_visibility()
        return self

    def _visible(self, kind: Kind, key: str, component: Any) -> bool:
        shown = bool(getattr(component, "enabled", True))
        name = getattr(component, "name", key)
        tags = set(getattr(component, "tags", ()) or ())
        for rule in self._rules:
            if rule.matches(kind, key, name, tags):
                shown = rule.enable
        return shown

    def _all(self) -> list[tuple[Kind, str, Any]]:
        return [
            *(("tool", k, v) for k, v in self._tools.items()),
            *(("resource", k, v) for k, v in self._resources.items()),
            *(("template", k, v) for k, v in self._templates.items()),
            *(("prompt", k, v) for k, v in self._prompts.items()),
        ]

    def _sync_visibility(self) -> None:
        changed: set[str] = set()
        for kind, key, component in self._all():
            shown = self._visible(kind, key, component)
            if shown != ((kind, key) in self._live):
                (self._show if shown else self._hide)(kind, key, component)
                changed.add(_LIST_OF[kind])
        for name in sorted(changed, key=("tools", "resources", "prompts").index):
            self._native.list_changed(name)

    def _place(self, kind: Kind, key: str, component: Any) -> None:
        """Registers a new or replaced component natively if it is visible, and tells clients."""
        if self._visible(kind, key, component):
            self._show(kind, key, component)
        elif (kind, key) in self._live:
            self._hide(kind, key, component)
        else:
            return
        self._native.list_changed(_LIST_OF[kind])

    def _unplace(self, kind: Kind, key: str) -> None:
        if (kind, key) in self._live:
            self._hide(kind, key, None)
            self._native.list_changed(_LIST_OF[kind])

    def _show(self, kind: Kind, key: str, component: Any) -> None:
        if kind == "tool":
            self._register_tool(component)
        elif kind == "resource":
            listing = json.dumps(component.to_mcp_resource(), ensure_ascii=False)
            self._native.add_resource(listing, key, component.read, is_async=component.is_async)
        elif kind == "template":
            security = component.security
            self._native.add_template(
                json.dumps(component.to_mcp_template(), ensure_ascii=False),
                key,
                component.read,
                is_async=component.is_async,
                list_params=list(component.list_params),
                screening=security is not None,
                exempt_params=sorted(security.exempt_params) if security is not None else [],
                reject_path_traversal=security is None or security.reject_path_traversal,
                reject_absolute_paths=security is None or security.reject_absolute_paths,
                reject_null_bytes=security is None or security.reject_null_bytes,
            )
        else:
            listing = json.dumps(component.to_mcp_prompt(), ensure_ascii=False)
            self._native.add_prompt(
                listing, key, component.render, is_async=component.is_async, required=component.required
            )
        self._live.add((kind, key))

    def _hide(self, kind: Kind, key: str, component: Any) -> None:
        remove = {
            "tool": self._native.remove_tool,
            "resource": self._native.remove_resource,
            "template": self._native.remove_template,
            "prompt": self._native.remove_prompt,
        }[kind]
        remove(key)
        self._live.discard((kind, key))

    # -- running -------------------------------------------------------------------------------------

    def run(self, transport: Transport | None = None, **transport_kwargs: Any) -> None:
        """Serves until stdin closes (stdio) or SIGINT/SIGTERM arrives."""
        # Over stdio the core starts serving before asyncio is even imported: `initialize`, listings and `def`
        # tools need no event loop, and calls to `async def` tools wait in the core's queue until the loop
        # below starts draining it. A client's first answer does not wait for asyncio's import.
        early = None
        if (transport or "stdio") == "stdio" and self._lifespan is None:
            early = self._native.start_stdio(None)
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
        async with self._running():
            await self._serve(loop, handle)

    @contextlib.asynccontextmanager
    async def _running(self) -> Any:
        """The server's lifespan, once per run: its result is ``ctx.lifespan_context``. A lifespan that fails
        at start-up stops the run with a clear error."""
        _serving.append(self)
        try:
            if self._lifespan is None:
                self._lifespan_result = {}
                yield
                return
            manager = self._lifespan(self)
            try:
                result = await manager.__aenter__()
            except Exception as exc:
                print(
                    f"fastmcp-rs: the lifespan of {self.name!r} failed at start-up: {type(exc).__name__}: {exc}",
                    file=sys.stderr,
                    flush=True,
                )
                raise RuntimeError(f"lifespan of {self.name!r} failed at start-up: {exc}") from exc
            from .lifespan import Lifespan

            self._lifespan_result = {} if result is None and isinstance(self._lifespan, Lifespan) else result
            try:
                yield
            except BaseException:
                if not await manager.__aexit__(*sys.exc_info()):
                    raise
            else:
                await manager.__aexit__(None, None, None)
        finally:
            _serving.remove(self)

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

        async with self._running():
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

        async with self._running():
            await self._serve_http(
                asyncio.get_running_loop(),
                s,
                host,
                port,
                path,
                json_response,
                stateless_http,
                dns_rebinding_protection,
                allowed_hosts,
                allowed_origins,
            )

    async def _serve_http(
        self,
        loop: asyncio.AbstractEventLoop,
        s: dict[str, Any],
        host: str | None,
        port: int | None,
        path: str | None,
        json_response: bool | None,
        stateless_http: bool | None,
        dns_rebinding_protection: bool | None,
        allowed_hosts: list[str] | None,
        allowed_origins: list[str] | None,
    ) -> None:
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
