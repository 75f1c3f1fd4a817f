"""ASGI apps for a server (``mcp.http_app()``, ``streamable_http_app()``, ``sse_app()``): Starlette apps whose MCP
routes are answered by the native core (the same Streamable HTTP and legacy SSE code the native server runs,
without its socket), beside the server's custom routes and any Starlette middleware.

Starlette is imported only when an app is built, so servers that never build one do not pay for it."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator, Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from starlette.applications import Starlette

__all__ = ["McpEndpoint", "NativeRun", "create_http_app"]

Scope = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[dict[str, Any]], Any]


class NativeRun:
    """One run of a server's native core inside someone else's event loop (an ASGI server's, or an
    in-memory client's): the server's lifespan, the loop hooked to the core's job queue, then teardown.
    Reentrant: nested users (the app's lifespan and ``session_manager.run()``) share one run."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self._depth = 0
        self._stack: contextlib.AsyncExitStack | None = None
        self.generation = 0

    @contextlib.asynccontextmanager
    async def __call__(self) -> AsyncIterator[None]:
        if getattr(self.server, "_serving_natively", False):
            # The native HTTP server runs this server already (an app served by `mcp.run(app=...)`).
            yield
            return
        if self._depth == 0:
            stack = contextlib.AsyncExitStack()
            await stack.__aenter__()
            try:
                await stack.enter_async_context(self.server._running())
                loop = asyncio.get_running_loop()
                handle = self.server._native.start_memory(loop.create_task)
                loop.add_reader(handle.fileno(), handle.drain)

                def teardown() -> None:
                    loop.remove_reader(handle.fileno())
                    handle.shutdown()
                    handle.close()

                stack.callback(teardown)
                self.generation += 1
            except BaseException:
                await stack.aclose()
                raise
            self._stack = stack
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0 and self._stack is not None:
                stack, self._stack = self._stack, None
                await stack.aclose()

    @property
    def running(self) -> bool:
        return self._depth > 0 or getattr(self.server, "_serving_natively", False)

    def on_teardown(self, callback: Callable[[], object]) -> None:
        """Runs ``callback`` when this run ends."""
        if self._stack is not None:
            self._stack.callback(callback)


class McpEndpoint:
    """The ASGI app behind the MCP route(s): each HTTP request goes to the native endpoint as it is, and its
    response (JSON, or an SSE stream) comes back chunk by chunk."""

    def __init__(self, server: Any, run: NativeRun, options: dict[str, Any], max_body_bytes: int) -> None:
        self._server = server
        self._run = run
        self._options = options
        self._max_body_bytes = max_body_bytes
        self._endpoint: Any = None
        self._endpoint_run = -1

    @contextlib.asynccontextmanager
    async def serving(self) -> AsyncIterator[None]:
        async with self._run():
            yield

    def _native_endpoint(self) -> Any:
        """The native endpoint for this run, made on first use (an app mounted in another app has no
        lifespan of its own: ``session_manager.run()`` or the outer app's lifespan started the run)."""
        if self._endpoint is None or self._endpoint_run != self._run.generation:
            if not self._run.running:
                return None
            import asyncio

            options = dict(self._options)
            options["auth"] = self._server._auth_spec(asyncio.get_running_loop(), options.get("path") or "/mcp")
            self._endpoint = self._server._native.http_endpoint(**options)
            self._endpoint_run = self._run.generation
            self._run.on_teardown(self._endpoint.close)
        return self._endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        endpoint = self._native_endpoint()
        if endpoint is None:
            raise RuntimeError(
                "The MCP app is not running: serve it with its lifespan (FastAPI(lifespan=mcp_app.lifespan)), "
                "or inside `async with mcp.session_manager.run():`"
            )
        body = await self._read_body(receive)
        if body is None:
            await _plain(send, 413, b"Payload Too Large: request body exceeds the limit")
            return
        root = scope.get("root_path", "")
        path = scope["path"]
        if root and path.startswith(root):
            path = path[len(root) :] or "/"
        query = scope.get("query_string", b"").decode("latin-1")
        target = f"{path}?{query}" if query else path
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        exchange = endpoint.handle(
            scope["method"],
            target,
            list(scope.get("headers", ())),
            body,
            lambda status, headers: queue.put_nowait(("start", (status, headers))),
            lambda chunk: queue.put_nowait(("body", chunk)),
        )
        watcher = asyncio.ensure_future(_until_disconnect(receive))
        try:
            while True:
                getter = asyncio.ensure_future(queue.get())
                done, _ = await asyncio.wait({getter, watcher}, return_when=asyncio.FIRST_COMPLETED)
                if getter not in done:
                    getter.cancel()
                    exchange.cancel()  # the client went away: the call is cancelled
                    return
                kind, value = getter.result()
                if kind == "start":
                    status, headers = value
                    await send({"type": "http.response.start", "status": status, "headers": headers})
                elif value is None:
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                    return
                else:
                    await send({"type": "http.response.body", "body": value, "more_body": True})
        finally:
            watcher.cancel()

    async def _read_body(self, receive: Receive) -> bytes | None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self._max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


async def _until_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _plain(send: Send, status: int, text: bytes) -> None:
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(text)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": text})


@functools.cache
def _starlette_class() -> type[Starlette]:
    from starlette.applications import Starlette

    class _App(Starlette):
        @property
        def lifespan(self) -> Callable[[Any], Any]:
            """The app's lifespan, for ``FastAPI(lifespan=mcp_app.lifespan)`` when the app is mounted."""
            return self.router.lifespan_context

    _App.__name__ = _App.__qualname__ = "StarletteWithLifespan"
    return _App


def __getattr__(name: str) -> Any:
    # `StarletteWithLifespan` (FastMCP's name for the app class) is built on first use, with Starlette.
    if name == "StarletteWithLifespan":
        return _starlette_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def create_http_app(
    server: Any,
    run: NativeRun,
    *,
    path: str | None = None,
    middleware: Sequence[Any] | None = None,
    json_response: bool | None = None,
    stateless_http: bool | None = None,
    transport: Literal["http", "streamable-http", "sse"] = "http",
    sse_path: str | None = None,
    message_path: str | None = None,
    custom_routes: Sequence[Any] = (),
    debug: bool = False,
    limits: dict[str, Any] | None = None,
) -> Starlette:
    """A Starlette app serving ``server``: the MCP route(s) natively, then the custom routes."""
    from starlette.routing import Route

    from .. import settings as env
    from .event_store import native_options

    # As for run(): the environment's `FASTMCP_*` settings stand in for what the server was not given.
    from_env = {k: v for k, v in env.from_environment(env.current()).items() if k not in server.settings.explicit}
    settings = {**server.settings, **from_env, **(limits or {})}
    options: dict[str, Any] = {
        "json_response": settings["json_response"] if json_response is None else json_response,
        "stateless": settings["stateless_http"] if stateless_http is None else stateless_http,
        "max_body_bytes": int(settings["max_body_bytes"]),
        "max_sessions": int(settings["max_sessions"]),
        "session_idle_timeout": float(settings["session_idle_timeout"]),
        "max_concurrent_requests": int(settings["max_concurrent_requests"]),
        "retry_interval": settings.get("retry_interval"),
        "keep_alive_interval": settings.get("keep_alive_interval"),
        **native_options(settings.get("event_store")),
    }
    for key in ("dns_rebinding_protection", "allowed_hosts", "allowed_origins"):
        if settings.get(key) is not None:
            options[key] = settings[key]
    # Liveness, readiness and metrics, answered by the core as on its own HTTP server (a custom route on the
    # same path answers instead). Draining is the ASGI server's here: it stops accepting and waits for the
    # requests in flight before the lifespan ends.
    claimed = {getattr(r, "path", None) for r in custom_routes}
    probes = []
    for key in ("health_path", "ready_path", "metrics_path"):
        probe = settings.get(key)
        if probe and not str(probe).startswith("/"):
            probe = f"/{probe}"
        options[key] = probe if probe and probe not in claimed else False
        if options[key]:
            probes.append(options[key])
    routes: list[Any] = []
    if transport == "sse":
        sse = sse_path or settings.get("sse_path") or "/sse"
        messages = message_path or settings.get("message_path") or "/messages/"
        options.update(streamable=False, sse_path=sse, message_path=messages)
        endpoint = McpEndpoint(server, run, options, options["max_body_bytes"])
        routes.append(Route(sse, endpoint=endpoint, methods=["GET"]))
        routes.append(Route(messages, endpoint=endpoint, methods=["POST"]))
        mcp_path = sse
    elif transport in ("http", "streamable-http"):
        mcp_path = path or settings.get("streamable_http_path") or "/mcp"
        options["path"] = mcp_path
        endpoint = McpEndpoint(server, run, options, options["max_body_bytes"])
        routes.append(Route(mcp_path, endpoint=endpoint, methods=["GET", "POST", "DELETE"]))
    else:
        raise ValueError(f"Unknown transport: {transport!r}")
    auth = getattr(server, "auth", None)
    if auth is not None:
        # The RFC 9728 document the provider's challenges name is answered natively too.
        metadata = auth._native_spec(None, mcp_path)["metadata"]
        if metadata is not None:
            routes.append(Route(metadata["path"], endpoint=endpoint, methods=["GET", "HEAD", "OPTIONS"]))
        # An authorization server's own routes (an OAuthProxy's /authorize, /token, ...).
        routes.extend(server._auth_routes(mcp_path))
    routes.extend(Route(probe, endpoint=endpoint, methods=["GET", "HEAD"]) for probe in probes)
    routes.extend(custom_routes)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        async with endpoint.serving():
            yield

    app = _starlette_class()(routes=routes, middleware=list(middleware or ()), lifespan=lifespan, debug=debug)
    app.state.fastmcp_server = server
    app.state.path = mcp_path
    return app


# -- the other direction: an ASGI app served by the native HTTP server ---------------------------------------------


class AsgiLifespan:
    """Runs an ASGI app's lifespan protocol (startup at ``__aenter__``, shutdown at ``__aexit__``), as an ASGI
    server does; an app that does not speak it is served without one."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.state: dict[str, Any] = {}
        self._to_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._from_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> AsgiLifespan:
        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.3"}, "state": self.state}

        async def run() -> None:
            try:
                await self.app(scope, self._to_app.get, self._from_app.put)
            except BaseException as exc:  # an app without lifespan support raises on the scope type
                await self._from_app.put({"type": "lifespan.unsupported", "error": exc})

        self._task = asyncio.ensure_future(run())
        await self._to_app.put({"type": "lifespan.startup"})
        reply = await self._from_app.get()
        if reply["type"] == "lifespan.startup.failed":
            raise RuntimeError(f"the ASGI app failed to start: {reply.get('message', '')}")
        if reply["type"] == "lifespan.unsupported":
            self._task = None
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._task is None:
            return
        await self._to_app.put({"type": "lifespan.shutdown"})
        reply = await self._from_app.get()
        await self._task
        if reply["type"] == "lifespan.shutdown.failed":
            raise RuntimeError(f"the ASGI app failed to shut down: {reply.get('message', '')}")


def asgi_runner(app: Any, lifespan: AsgiLifespan, server_address: tuple[str, int]) -> Callable[..., Any]:
    """What the native HTTP server calls for a request outside the MCP paths: a coroutine that runs ``app`` on
    it, its ``send`` writing straight into the native response."""
    from urllib.parse import unquote

    asgi = {"version": "3.0", "spec_version": "2.3"}

    async def run(
        method: str, path: str, query: str, headers: list[tuple[bytes, bytes]], body: bytes, responder: Any
    ) -> None:
        scope = {
            "type": "http",
            "asgi": asgi,
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": unquote(path),
            "raw_path": path.encode("latin-1"),
            "query_string": query.encode("latin-1"),
            "root_path": "",
            "headers": headers,
            "server": server_address,
            "client": None,
            "state": dict(lifespan.state),
        }
        delivered = False
        finished = asyncio.Event()

        async def receive() -> dict[str, Any]:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            await finished.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            kind = message["type"]
            if kind == "http.response.start":
                responder.start(message["status"], [(bytes(k), bytes(v)) for k, v in message.get("headers", ())])
            elif kind == "http.response.body":
                more = bool(message.get("more_body", False))
                if not responder.body(message.get("body", b""), more) or not more:
                    finished.set()

        try:
            await app(scope, receive, send)
        except Exception:
            import logging

            logging.getLogger("fastmcp_rs").exception("Exception in ASGI application")
            if not responder.started:
                responder.start(500, [(b"content-type", b"text/plain; charset=utf-8")])
                responder.body(b"Internal Server Error", False)
        finally:
            finished.set()
            responder.finish()

    return run


def find_mcp_mount(app: Any, prefix: str = "", wrapped: bool = False) -> tuple[Any, str, bool] | None:
    """The FastMCP server inside an ASGI app built by ``http_app()`` (directly, or mounted in a FastAPI or
    Starlette app), the full path of its MCP endpoint, and whether middleware of the user's stands in front
    of it (then MCP requests must go through the app, so the middleware sees them)."""
    wrapped = wrapped or bool(getattr(app, "user_middleware", None))
    state = getattr(app, "state", None)
    server = getattr(state, "fastmcp_server", None) if state is not None else None
    if server is not None:
        return server, prefix.rstrip("/") + (getattr(state, "path", None) or "/mcp"), wrapped
    for route in getattr(app, "routes", ()) or ():
        inner = getattr(route, "app", None)
        if inner is not None and inner is not app and hasattr(route, "path"):
            found = find_mcp_mount(inner, prefix + route.path, wrapped)
            if found is not None:
                return found
    return None


class HttpAppsMixin:
    """The ASGI side of ``FastMCP``: ``http_app`` (FastMCP 4), ``streamable_http_app`` / ``sse_app`` /
    ``session_manager`` (SDK v1), and ``custom_route``. Mixed into the server class."""

    settings: dict[str, Any]

    @property
    def _native_run(self) -> NativeRun:
        run = self.__dict__.get("_native_run_state")
        if run is None:
            run = self.__dict__["_native_run_state"] = NativeRun(self)
        return run

    @property
    def _custom_routes(self) -> list[Any]:
        return self.__dict__.setdefault("_custom_route_list", [])

    def custom_route(
        self, path: str, methods: list[str], name: str | None = None, include_in_schema: bool = True
    ) -> Callable[[Any], Any]:
        """Registers a plain HTTP route (health checks, webhooks) served beside the MCP endpoint, by the
        native server and in every ASGI app. The handler takes a Starlette ``Request``."""

        def decorator(fn: Any) -> Any:
            self._custom_routes.append((path, fn, list(methods), name, include_in_schema))
            return fn

        return decorator

    def _starlette_routes(self) -> list[Any]:
        from starlette.routing import Route

        return [
            Route(path, endpoint=fn, methods=methods, name=name, include_in_schema=include)
            for path, fn, methods, name, include in self._custom_routes
        ]

    def http_app(
        self,
        path: str | None = None,
        middleware: Sequence[Any] | None = None,
        json_response: bool | None = None,
        stateless_http: bool | None = None,
        transport: Literal["http", "streamable-http", "sse"] = "http",
        event_store: Any = None,
        retry_interval: int | None = None,
        **limits: Any,
    ) -> Starlette:
        """A Starlette app serving this server's MCP endpoint (answered by the native core) and its custom
        routes. Mount it in FastAPI with ``FastAPI(lifespan=app.lifespan)``.

        Streams are resumable unless ``event_store=False`` (an ``EventStore`` sets the bounds);
        ``retry_interval`` is the milliseconds a client waits before it reconnects to a stream the server
        closed early."""
        limits = {**limits, "event_store": event_store, "retry_interval": retry_interval}
        return create_http_app(
            self,
            self._native_run,
            path=path,
            middleware=middleware,
            json_response=json_response,
            stateless_http=stateless_http,
            transport=transport,
            custom_routes=self._starlette_routes(),
            limits={k: v for k, v in limits.items() if v is not None},
        )

    def streamable_http_app(self) -> Starlette:
        """SDK v1: the Streamable HTTP app at ``streamable_http_path`` (default ``/mcp``)."""
        return self.http_app(transport="http")

    def sse_app(self, mount_path: str | None = None) -> Starlette:
        """SDK v1: the legacy SSE app (``/sse`` and ``/messages/``)."""
        return self.http_app(transport="sse")

    def test_client(self, **kwargs: Any) -> Any:
        """An in-memory ``Client`` connected to this server (``async with mcp.test_client() as client:``)."""
        from ..client import test_client

        return test_client(self, **kwargs)

    @property
    def session_manager(self) -> _SessionManager:
        """SDK v1: ``async with mcp.session_manager.run():`` in a FastAPI lifespan starts the server for the
        apps mounted from ``streamable_http_app()``."""
        return _SessionManager(self._native_run)


class _SessionManager:
    def __init__(self, run: NativeRun) -> None:
        self._run = run

    def run(self) -> contextlib.AbstractAsyncContextManager[None]:
        return self._run()
