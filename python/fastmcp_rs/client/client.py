"""``Client``: FastMCP 4's MCP client, built on the official ``mcp`` package's ``ClientSession``.

``Client(mcp)`` talks to a server object in this process (no sockets), ``Client("http://host/mcp")`` over
Streamable HTTP, ``Client(Path("server.py"))`` (or ``"server.py"``) runs the script over stdio, and any
``ClientTransport`` may be given directly. ``async with client:`` connects; it may be nested and entered from
several tasks at once: the connection lives until the last one exits.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import secrets
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

import anyio
import httpx2
import mcp.types as mcp_types
import pydantic
import pydantic_core
from mcp import ClientSession, MCPError

from .. import exceptions as _exceptions
from . import transports as _transports
from ._hydrate import schema_adapter
from ._skills import ClientSkillsMixin, fold_extensions
from .elicitation import ElicitationHandler, create_elicitation_callback
from .logging import LogHandler, create_log_callback, default_log_handler
from .messages import MessageHandler, MessageHandlerT
from .progress import ProgressHandler, default_progress_handler
from .roots import RootsHandler, RootsList, create_roots_callback
from .sampling import SamplingHandler, create_sampling_callback
from .transports import ClientTransport, infer_transport

__all__ = [
    "CallToolResult",
    "Client",
    "ClientMcpError",
    "ElicitationHandler",
    "LogHandler",
    "MessageHandler",
    "ProgressHandler",
    "RootsHandler",
    "RootsList",
    "SamplingHandler",
]

if sys.version_info < (3, 11):  # pragma: no cover
    from exceptiongroup import BaseExceptionGroup

logger = logging.getLogger("fastmcp_rs.client")

TransportT = TypeVar("TransportT", bound=ClientTransport)
Timeout = datetime.timedelta | float | int | None

AUTO_PAGINATION_MAX_PAGES = 250
_DISCONNECT_TIMEOUT = 5.0
_HANDSHAKE_MODES = ("legacy", "auto")


class ClientMcpError(_exceptions.McpError, MCPError):
    """A JSON-RPC error answer (or a timeout, or a closed connection). Both ``except mcp.MCPError`` and
    ``except fastmcp_rs.exceptions.McpError`` catch it; ``.code``, ``.message``, ``.data`` and ``.error``
    (mcp's ``ErrorData``) are read-only."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        Exception.__init__(self, code, message, data)
        self._error = mcp_types.ErrorData(code=code, message=message, data=data)

    @property
    def error(self) -> mcp_types.ErrorData:  # type: ignore[override]
        return self._error

    @property
    def code(self) -> int:  # type: ignore[override]
        return self._error.code

    @property
    def message(self) -> str:  # type: ignore[override]
        return self._error.message

    @property
    def data(self) -> Any:  # type: ignore[override]
        return self._error.data

    def __str__(self) -> str:
        return self._error.message


def _fastmcp_error(exc: MCPError) -> MCPError:
    if isinstance(exc, _exceptions.McpError) or type(exc) is not MCPError:
        return exc
    converted = ClientMcpError(exc.code, exc.message, exc.data)
    converted.__traceback__ = exc.__traceback__
    return converted


@dataclass
class CallToolResult:
    """A tool call's result: ``data`` is the structured content hydrated through the tool's output schema
    (objects become dataclasses, a wrapped ``{"result": ...}`` is unwrapped); ``content`` the content blocks."""

    content: list[mcp_types.ContentBlock]
    structured_content: dict[str, Any] | None
    meta: dict[str, Any] | None
    data: Any = None
    is_error: bool = False

    def __getitem__(self, index: Any) -> Any:
        """``result[0]`` is ``result.content[0]`` (what clients that returned a list of blocks offered)."""
        return self.content[index]


_LEVELS = ("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency")


def _seconds(value: Timeout) -> float | None:
    """Seconds as a float; ``0`` (and ``None``) mean no timeout."""
    if value is None:
        return None
    if isinstance(value, datetime.timedelta):
        value = value.total_seconds()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"Invalid timeout type: {type(value)}")
    return None if value == 0 else float(value)


def _check_mode(mode: str) -> None:
    from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS, MODERN_PROTOCOL_VERSIONS

    if mode in _HANDSHAKE_MODES or mode in MODERN_PROTOCOL_VERSIONS:
        return
    hint = f" ({mode!r} is a handshake-era version; use mode='legacy')" if mode in HANDSHAKE_PROTOCOL_VERSIONS else ""
    raise ValueError(f"mode must be 'legacy', 'auto', or one of {list(MODERN_PROTOCOL_VERSIONS)}; got {mode!r}{hint}")


def _wrapped_schema(schema: dict[str, Any]) -> Any:
    """``properties.result`` of a wrapped output schema, keeping the root's ``$defs`` for its references."""
    inner = (schema.get("properties") or {}).get("result")
    if isinstance(inner, bool):
        return inner
    if not isinstance(inner, dict):
        return schema
    carried = {k: schema[k] for k in ("$defs", "definitions") if k in schema and k not in inner}
    return {**inner, **carried}


def _version_meta(meta: dict[str, Any] | None, version: str | None) -> dict[str, Any] | None:
    merged = dict(meta) if meta else {}
    if version is not None:
        merged["fastmcp"] = {**(merged.get("fastmcp") or {}), "version": version}
    return merged or None


class Client(ClientSkillsMixin, Generic[TransportT]):
    """An MCP client. See the module docstring for what ``transport`` may be.

    Args:
        transport: A ``ClientTransport``, a server object (in memory), an ``http(s)://`` URL, a ``.py``/``.js``
            script path, or ``mcp``'s ``StdioServerParameters``.
        name: A name for this client (in its logs).
        roots: The roots offered to the server: a list of ``file://`` URIs/``Root``s, or ``handler(context)``.
        sampling_handler: ``handler(messages, params, context)`` answering ``ctx.sample(...)``.
        elicitation_handler: ``async handler(message, response_type, params, context)`` answering
            ``ctx.elicit(...)``.
        log_handler: ``async handler(LogMessage)`` for ``ctx.info(...)`` and friends (default: Python logging).
        message_handler: ``async handler(message)`` (or a ``MessageHandler``) for every server notification.
        progress_handler: ``async handler(progress, total, message)`` for ``ctx.report_progress``, on every call.
        timeout: Per-request timeout (seconds or ``timedelta``; ``0`` or ``None``: none). A request that
            exceeds it raises ``McpError`` and is cancelled on the server.
        auto_initialize: Negotiate on connect (otherwise call ``await client.initialize()``).
        init_timeout: Timeout of that negotiation.
        client_info: The ``Implementation`` this client declares.
        auth: For HTTP: an ``httpx2.Auth`` or a bearer token.
        verify: For HTTP: TLS verification (``False``, a CA bundle path or an ``ssl.SSLContext``).
        mode: ``"auto"`` (probe ``server/discover``, fall back to the ``initialize`` handshake), ``"legacy"``
            (the handshake only), or a modern protocol version to adopt directly.
    """

    def __init__(
        self,
        transport: Any,
        name: str | None = None,
        roots: RootsList | RootsHandler | None = None,
        sampling_handler: SamplingHandler | None = None,
        sampling_capabilities: mcp_types.SamplingCapability | None = None,
        elicitation_handler: ElicitationHandler | None = None,
        log_handler: LogHandler | None = None,
        message_handler: MessageHandlerT | MessageHandler | None = None,
        progress_handler: ProgressHandler | None = None,
        timeout: Timeout = None,
        auto_initialize: bool = True,
        init_timeout: Timeout = None,
        client_info: mcp_types.Implementation | None = None,
        auth: Any = None,
        verify: Any = None,
        mode: Literal["legacy", "auto"] | str = "auto",
        prior_discover: mcp_types.DiscoverResult | None = None,
        input_required_max_rounds: int | None = None,
        cache: Any = None,
        extensions: Any = None,
        result_claims: Any = None,
    ) -> None:
        folded = fold_extensions(extensions)
        for identifier, extra in (result_claims or {}).items():
            claims = folded.setdefault("result_claims", {})
            claims[identifier] = (*claims.get(identifier, ()), *extra)
        _check_mode(mode)
        self.name = name or self.generate_name()
        self.mode = mode
        self.prior_discover = prior_discover
        self.transport: TransportT = infer_transport(transport)  # type: ignore[assignment]
        if verify is not None:
            if not isinstance(self.transport, _transports._HttpTransport):
                raise ValueError("The 'verify' parameter is only supported for HTTP transports.")
            self.transport.verify = verify
        if auth is not None:
            self.transport._set_auth(auth)
        self.auto_initialize = auto_initialize
        self._cache = cache  # response caching only applies to 2026-era servers; accepted, not used
        self._progress_handler = progress_handler or default_progress_handler
        self._init_timeout = _seconds(init_timeout)
        if input_required_max_rounds is None:
            from mcp.client._input_required import DEFAULT_INPUT_REQUIRED_MAX_ROUNDS

            input_required_max_rounds = DEFAULT_INPUT_REQUIRED_MAX_ROUNDS
        self.input_required_max_rounds = input_required_max_rounds
        from .._core import __version__

        self._session_kwargs: dict[str, Any] = {
            "read_timeout_seconds": _seconds(timeout),
            "logging_callback": self._filtered_log(create_log_callback(log_handler or default_log_handler)),
            # 2026-era servers send log messages only to requests that opt in; handshake-era ones ignore this.
            "log_level": "debug",
            "message_handler": message_handler,
            "client_info": client_info or mcp_types.Implementation(name="fastmcp-rs", version=__version__),
            # Client(extensions=[...]): advertised in the client's capabilities (SEP-2133), with their result
            # claims and notification bindings.
            **folded,
        }
        if roots is not None:
            self.set_roots(roots)
        if sampling_handler is not None:
            self.set_sampling_callback(sampling_handler, sampling_capabilities)
        if elicitation_handler is not None:
            self.set_elicitation_callback(elicitation_handler)
        self._reset_state()

    def _filtered_log(self, callback: Callable[[Any], Awaitable[None]]) -> Callable[[Any], Awaitable[None]]:
        """On a 2026-era connection ``set_logging_level`` has no server method: messages below the level are
        dropped here instead."""

        async def log(params: Any) -> None:
            threshold = getattr(self, "_log_threshold", None)
            if threshold is not None and _LEVELS.index(str(params.level)) < _LEVELS.index(threshold):
                return
            await callback(params)

        return log

    def _reset_state(self) -> None:
        self._log_threshold: str | None = None
        self._session: ClientSession | None = None
        self._initialize_result: mcp_types.InitializeResult | None = None
        self._runner: asyncio.Task[None] | None = None
        self._stop: asyncio.Event | None = None
        self._nesting = 0
        self._lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._failure: BaseException | None = None

    @classmethod
    def generate_name(cls, name: str | None = None) -> str:
        middle = f"-{name}" if name else ""
        return f"{cls.__name__}{middle}-{secrets.token_hex(2)}"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} {self.transport!r}>"

    # -- configuration -------------------------------------------------------------------------------------

    def set_roots(self, roots: RootsList | RootsHandler) -> None:
        """The roots to offer (takes effect on the next connection)."""
        self._session_kwargs["list_roots_callback"] = create_roots_callback(roots)

    def set_sampling_callback(
        self, sampling_callback: SamplingHandler, sampling_capabilities: mcp_types.SamplingCapability | None = None
    ) -> None:
        self._session_kwargs["sampling_callback"] = create_sampling_callback(sampling_callback)
        self._session_kwargs["sampling_capabilities"] = sampling_capabilities or mcp_types.SamplingCapability()

    def set_elicitation_callback(self, elicitation_callback: ElicitationHandler) -> None:
        self._session_kwargs["elicitation_callback"] = create_elicitation_callback(elicitation_callback)

    def new(self) -> Client[TransportT]:
        """A client with the same transport and settings, not connected."""
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone._session_kwargs = dict(self._session_kwargs)
        clone._reset_state()
        clone.name = f"{self.name}:{secrets.token_hex(2)}"
        return clone

    # -- connection ----------------------------------------------------------------------------------------

    @property
    def session(self) -> ClientSession:
        """The ``mcp.ClientSession`` of the open connection."""
        if self._session is None:
            if self._nesting > 0:
                if self._failure is not None:
                    raise self._failure
                raise ClientMcpError(mcp_types.CONNECTION_CLOSED, "Connection closed")
            raise RuntimeError("Client is not connected. Use the 'async with client:' context manager first.")
        return self._session

    def is_connected(self) -> bool:
        return self._session is not None

    @property
    def initialize_result(self) -> mcp_types.InitializeResult | None:
        """The server's ``initialize`` answer (``None`` on a 2026-era ``server/discover`` connection)."""
        return self._initialize_result

    @property
    def protocol_version(self) -> str | None:
        return self._session.protocol_version if self._session is not None else None

    @property
    def server_capabilities(self) -> mcp_types.ServerCapabilities | None:
        return self._session.server_capabilities if self._session is not None else None

    @property
    def server_info(self) -> mcp_types.Implementation | None:
        return self._session.server_info if self._session is not None else None

    @property
    def instructions(self) -> str | None:
        return self._session.instructions if self._session is not None else None

    async def __aenter__(self) -> Client[TransportT]:
        await self._connect()
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self._disconnect()

    def _connection_lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            if self._runner is not None and not self._runner.done():
                raise RuntimeError(f"{self.name} is connected on another event loop")
            self._loop, self._lock = loop, asyncio.Lock()
        assert self._lock is not None
        return self._lock

    async def _connect(self) -> None:
        async with self._connection_lock():
            if self._runner is None or self._runner.done():
                self._nesting = 0
                self._failure = None
                loop = asyncio.get_running_loop()
                ready: asyncio.Future[None] = loop.create_future()
                self._stop = asyncio.Event()
                runner = loop.create_task(self._run(ready), name=f"{self.name} connection")
                self._runner = runner
                try:
                    await ready
                except BaseException:
                    self._stop.set()
                    if not runner.done():
                        runner.cancel()
                    await asyncio.wait({runner}, timeout=_DISCONNECT_TIMEOUT)
                    self._runner = None
                    raise
            self._nesting += 1

    async def _run(self, ready: asyncio.Future[None]) -> None:
        """Holds the connection (transport and session) in one task, from connect to the last exit."""
        assert self._stop is not None
        stop = self._stop
        try:
            async with self.transport.connect_session(**self._session_kwargs) as session:
                self._session = session
                try:
                    if self.auto_initialize:
                        await self._negotiate()
                    if not ready.done():
                        ready.set_result(None)
                    await stop.wait()
                finally:
                    self._session = None
                    self._initialize_result = None
        except BaseException as exc:  # reported to whoever waits, never left in the task
            failure = _first_error(exc)
            if not ready.done():
                if isinstance(exc, asyncio.CancelledError):
                    ready.cancel()
                else:
                    ready.set_exception(_connect_error(failure))
                return
            if not stop.is_set():
                self._failure = failure
                logger.debug("%s: the connection ended: %r", self.name, failure)
            if isinstance(exc, asyncio.CancelledError):
                raise
        else:
            if not ready.done():
                ready.set_exception(RuntimeError("the connection closed while connecting"))

    async def _disconnect(self, force: bool = False) -> None:
        async with self._connection_lock():
            self._nesting = 0 if force else max(0, self._nesting - 1)
            if self._nesting > 0:
                return
            runner, self._runner = self._runner, None
            if runner is None:
                return
            assert self._stop is not None
            self._stop.set()
            await asyncio.wait({runner}, timeout=_DISCONNECT_TIMEOUT)
            if not runner.done():
                runner.cancel()
                await asyncio.wait({runner}, timeout=_DISCONNECT_TIMEOUT)

    async def close(self) -> None:
        """Disconnects whatever contexts are open."""
        await self._disconnect(force=True)
        await self.transport.close()

    async def _negotiate(self, timeout: Timeout = None) -> None:
        session = self.session
        if session.protocol_version is not None:
            self._initialize_result = session.initialize_result
            return
        seconds = _seconds(timeout) if timeout is not None else self._init_timeout
        mode = self.mode
        if mode == "auto" and self.transport.legacy_only:
            mode = "legacy"
        try:
            with anyio.fail_after(seconds):
                if mode == "legacy":
                    self._initialize_result = await session.initialize()
                elif mode == "auto":
                    from mcp.client._probe import negotiate_auto

                    await negotiate_auto(session)
                    self._initialize_result = session.initialize_result
                else:
                    session.adopt(
                        self.prior_discover
                        or mcp_types.DiscoverResult(
                            supported_versions=[mode],
                            capabilities=mcp_types.ServerCapabilities(),
                            result_type="complete",
                            ttl_ms=0,
                            cache_scope="public",
                        )
                    )
        except TimeoutError as exc:
            raise RuntimeError("Failed to initialize server session") from exc
        except MCPError as exc:
            raise _fastmcp_error(exc) from None

    async def initialize(self, timeout: Timeout = None) -> mcp_types.InitializeResult:
        """The ``initialize`` handshake (done on connect unless ``auto_initialize=False``); idempotent."""
        if self._initialize_result is None:
            await self._negotiate(timeout)
        if self._initialize_result is None:
            raise RuntimeError(
                "The client negotiated a 2026-era connection (server/discover), which has no InitializeResult; "
                "read client.protocol_version, server_info, server_capabilities and instructions, or use "
                "mode='legacy'."
            )
        return self._initialize_result

    async def _request(self, awaitable: Awaitable[Any]) -> Any:
        try:
            return await awaitable
        except MCPError as exc:
            converted = _fastmcp_error(exc)
            if converted is exc:
                raise
            raise converted from None

    async def _drive(self, first: Any, retry: Callable[[Any, Any], Awaitable[Any]]) -> Any:
        """Resolves a 2026-era ``InputRequiredResult`` through this client's handlers, retrying the request."""
        if not isinstance(first, mcp_types.InputRequiredResult):
            return first
        from mcp.client._input_required import run_input_required_driver
        from mcp.client.session import ClientRequestContext

        session = self.session

        async def dispatch(key: str, request: Any) -> Any:
            meta = request.params.meta if request.params else None
            return await session.dispatch_input_request(
                ClientRequestContext(session=session, request_id=key, meta=meta), request
            )

        return await run_input_required_driver(
            first, dispatch=dispatch, retry=retry, max_rounds=self.input_required_max_rounds
        )

    # -- protocol ------------------------------------------------------------------------------------------

    def _is_modern(self) -> bool:
        from mcp_types.version import MODERN_PROTOCOL_VERSIONS

        return self.protocol_version in MODERN_PROTOCOL_VERSIONS

    async def ping(self) -> bool:
        """Whether the server answers. The 2026 era has no ``ping``: ``server/discover`` answers instead."""
        if self._is_modern():
            await self._request(self.session.send_discover(self.protocol_version))
            return True
        result = await self._request(self.session.send_request(mcp_types.PingRequest(), mcp_types.EmptyResult))
        return isinstance(result, mcp_types.EmptyResult)

    async def cancel(self, request_id: str | int, reason: str | None = None) -> None:
        """Sends ``notifications/cancelled`` for one of this client's requests."""
        params = mcp_types.CancelledNotificationParams(request_id=request_id, reason=reason)
        await self.session.send_notification(mcp_types.CancelledNotification(params=params))

    async def progress(
        self, progress_token: str | int, progress: float, total: float | None = None, message: str | None = None
    ) -> None:
        """Sends ``notifications/progress`` to the server."""
        params = mcp_types.ProgressNotificationParams(
            progress_token=progress_token, progress=progress, total=total, message=message
        )
        await self.session.send_notification(mcp_types.ProgressNotification(params=params))

    async def set_logging_level(self, level: mcp_types.LoggingLevel) -> None:
        """``logging/setLevel``: the lowest level of log messages the server should send. The 2026 era has no
        such method (each request asks for its own messages), so there the client drops the lower ones."""
        if self._is_modern():
            self._log_threshold = str(level)
            return
        request = mcp_types.SetLevelRequest(params=mcp_types.SetLevelRequestParams(level=level))
        await self._request(self.session.send_request(request, mcp_types.EmptyResult))

    async def send_roots_list_changed(self) -> None:
        await self.session.send_notification(mcp_types.RootsListChangedNotification())

    # -- tools ---------------------------------------------------------------------------------------------

    async def _all_pages(self, fetch: Callable[[str | None], Awaitable[Any]], field: str, max_pages: int) -> list:
        items: list[Any] = []
        cursor: str | None = None
        seen: set[str] = set()
        for _ in range(max_pages):
            page = await fetch(cursor)
            items.extend(getattr(page, field))
            cursor = page.next_cursor
            if cursor is None or cursor in seen:
                return items
            seen.add(cursor)
        raise RuntimeError(
            f"[{self.name}] Reached auto-pagination limit ({max_pages} pages) for {field}; use the *_mcp method "
            "with cursor for manual pagination, or increase max_pages."
        )

    async def list_tools_mcp(self, *, cursor: str | None = None) -> mcp_types.ListToolsResult:
        params = mcp_types.PaginatedRequestParams(cursor=cursor) if cursor is not None else None
        return await self._request(self.session.list_tools(params=params))

    async def list_tools(self, max_pages: int = AUTO_PAGINATION_MAX_PAGES) -> list[mcp_types.Tool]:
        """Every tool the server lists (all pages)."""
        return await self._all_pages(lambda c: self.list_tools_mcp(cursor=c), "tools", max_pages)

    async def call_tool_mcp(
        self,
        name: str,
        arguments: dict[str, Any],
        progress_handler: ProgressHandler | None = None,
        timeout: Timeout = None,
        meta: dict[str, Any] | None = None,
    ) -> mcp_types.CallToolResult:
        """``tools/call``, returning mcp's raw result (an error result is returned, not raised)."""
        seconds = _seconds(timeout)
        progress = progress_handler or self._progress_handler

        async def send(responses: Any, state: Any) -> Any:
            return await self.session.call_tool(
                name,
                arguments,
                read_timeout_seconds=seconds,
                progress_callback=progress,
                meta=meta,  # type: ignore[arg-type]
                input_responses=responses,
                request_state=state,
                allow_input_required=True,
            )

        return await self._request(self._drive(await self._request(send(None, None)), send))

    async def call_tool(
        self,
        name: str,
        arguments: dict[str, Any] | None = None,
        *,
        version: str | None = None,
        timeout: Timeout = None,
        progress_handler: ProgressHandler | None = None,
        raise_on_error: bool = True,
        meta: dict[str, Any] | None = None,
    ) -> CallToolResult:
        """Calls a tool. An error result raises ``ToolError`` with its text unless ``raise_on_error=False``;
        ``result.data`` is the structured result as Python objects."""
        raw = await self.call_tool_mcp(
            name, arguments or {}, progress_handler=progress_handler, timeout=timeout, meta=_version_meta(meta, version)
        )
        if raw.is_error and raise_on_error:
            first = raw.content[0] if raw.content else None
            text = first.text if isinstance(first, mcp_types.TextContent) else f"Tool '{name}' returned an error"
            raise _exceptions.ToolError(text)
        data = None
        if raw.structured_content is not None and not raw.is_error:
            data = await self._hydrate(name, raw, pinned=version)
        return CallToolResult(
            content=raw.content,
            structured_content=raw.structured_content,
            meta=raw.meta,
            data=data,
            is_error=raw.is_error,
        )

    async def _hydrate(self, name: str, raw: mcp_types.CallToolResult, pinned: str | None) -> Any:
        structured = raw.structured_content
        assert structured is not None
        try:
            schemas: dict[str, Any] = self.session._tool_output_schemas
            if name not in schemas:
                await self.list_tools()
                schemas = self.session._tool_output_schemas
            schema = schemas.get(name) if pinned is None else None
            fastmcp_meta = (raw.meta or {}).get("fastmcp")
            wrapped = (isinstance(fastmcp_meta, dict) and bool(fastmcp_meta.get("wrap_result"))) or bool(
                schema and schema.get("x-fastmcp-wrap-result")
            )
            value = structured.get("result") if wrapped else structured
            if not schema:
                return value
            return schema_adapter(_wrapped_schema(schema) if wrapped else schema).validate_python(value)
        except Exception as exc:
            logger.error("[%s] Error parsing structured content of %r: %s", self.name, name, exc)
            return None

    # -- resources -----------------------------------------------------------------------------------------

    async def list_resources_mcp(self, *, cursor: str | None = None) -> mcp_types.ListResourcesResult:
        params = mcp_types.PaginatedRequestParams(cursor=cursor) if cursor is not None else None
        return await self._request(self.session.list_resources(params=params))

    async def list_resources(self, max_pages: int = AUTO_PAGINATION_MAX_PAGES) -> list[mcp_types.Resource]:
        return await self._all_pages(lambda c: self.list_resources_mcp(cursor=c), "resources", max_pages)

    async def list_resource_templates_mcp(self, *, cursor: str | None = None) -> mcp_types.ListResourceTemplatesResult:
        params = mcp_types.PaginatedRequestParams(cursor=cursor) if cursor is not None else None
        return await self._request(self.session.list_resource_templates(params=params))

    async def list_resource_templates(
        self, max_pages: int = AUTO_PAGINATION_MAX_PAGES
    ) -> list[mcp_types.ResourceTemplate]:
        fetch = self.list_resource_templates_mcp
        return await self._all_pages(lambda c: fetch(cursor=c), "resource_templates", max_pages)

    async def read_resource_mcp(self, uri: Any, meta: dict[str, Any] | None = None) -> mcp_types.ReadResourceResult:
        async def send(responses: Any, state: Any) -> Any:
            return await self.session.read_resource(
                str(uri), input_responses=responses, request_state=state, meta=meta, allow_input_required=True
            )

        return await self._request(self._drive(await self._request(send(None, None)), send))

    async def read_resource(
        self, uri: Any, *, version: str | None = None, meta: dict[str, Any] | None = None
    ) -> list[mcp_types.TextResourceContents | mcp_types.BlobResourceContents]:
        """The contents of a resource (or of a template's URI)."""
        if isinstance(uri, str):
            try:
                pydantic.AnyUrl(uri)
            except pydantic.ValidationError as exc:
                raise ValueError(f"Provided resource URI is invalid: {uri!r}") from exc
        result = await self.read_resource_mcp(uri, meta=_version_meta(meta, version))
        return result.contents

    # -- prompts -------------------------------------------------------------------------------------------

    async def list_prompts_mcp(self, *, cursor: str | None = None) -> mcp_types.ListPromptsResult:
        params = mcp_types.PaginatedRequestParams(cursor=cursor) if cursor is not None else None
        return await self._request(self.session.list_prompts(params=params))

    async def list_prompts(self, max_pages: int = AUTO_PAGINATION_MAX_PAGES) -> list[mcp_types.Prompt]:
        return await self._all_pages(lambda c: self.list_prompts_mcp(cursor=c), "prompts", max_pages)

    async def get_prompt_mcp(
        self, name: str, arguments: dict[str, Any] | None = None, meta: dict[str, Any] | None = None
    ) -> mcp_types.GetPromptResult:
        """``prompts/get``; argument values that are not strings are sent as JSON text."""
        wire = None
        if arguments:
            wire = {
                k: v if isinstance(v, str) else pydantic_core.to_json(v).decode("utf-8") for k, v in arguments.items()
            }

        async def send(responses: Any, state: Any) -> Any:
            return await self.session.get_prompt(
                name, wire, input_responses=responses, request_state=state, meta=meta, allow_input_required=True
            )

        return await self._request(self._drive(await self._request(send(None, None)), send))

    async def get_prompt(
        self,
        name: str,
        arguments: dict[str, Any] | None = None,
        *,
        version: str | None = None,
        meta: dict[str, Any] | None = None,
    ) -> mcp_types.GetPromptResult:
        return await self.get_prompt_mcp(name, arguments, meta=_version_meta(meta, version))

    # -- completion ----------------------------------------------------------------------------------------

    async def complete_mcp(
        self,
        ref: mcp_types.ResourceTemplateReference | mcp_types.PromptReference,
        argument: dict[str, str],
        context_arguments: dict[str, Any] | None = None,
    ) -> mcp_types.CompleteResult:
        return await self._request(
            self.session.complete(ref=ref, argument=argument, context_arguments=context_arguments)
        )

    async def complete(
        self,
        ref: mcp_types.ResourceTemplateReference | mcp_types.PromptReference,
        argument: dict[str, str],
        context_arguments: dict[str, Any] | None = None,
    ) -> mcp_types.Completion:
        """``completion/complete``: suggested values for one argument of a prompt or resource template."""
        return (await self.complete_mcp(ref, argument, context_arguments)).completion


def _first_error(exc: BaseException) -> BaseException:
    """The first real error inside (nested) exception groups, as FastMCP reports connection failures."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


def _connect_error(exc: BaseException) -> BaseException:
    if isinstance(exc, MCPError):
        return _fastmcp_error(exc)
    if isinstance(exc, (httpx2.HTTPStatusError, RuntimeError)) or not isinstance(exc, Exception):
        return exc
    error = RuntimeError(f"Client failed to connect: {exc}")
    error.__cause__ = exc
    return error
