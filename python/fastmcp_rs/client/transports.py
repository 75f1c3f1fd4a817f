"""How a ``Client`` reaches a server: a subprocess over stdio, Streamable HTTP, legacy SSE, or a server object
in this very process (no sockets, no subprocess).

Each transport's ``connect_session(**session_kwargs)`` is an async context manager that yields an entered, not
yet initialized ``mcp.ClientSession`` built on the official ``mcp`` package's transports.
"""

from __future__ import annotations

import abc
import contextlib
import datetime
import math
import re
import ssl
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO, Any, Literal
from urllib.parse import urlsplit

import anyio
import httpx2
import mcp.types as mcp_types
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.shared.message import SessionMessage

from ..server.memory import acquire_run as _acquire_run
from ..server.memory import release_run as _release_run

__all__ = [
    "ClientTransport",
    "FastMCPTransport",
    "NodeStdioTransport",
    "PythonStdioTransport",
    "SSETransport",
    "StdioTransport",
    "StreamableHttpTransport",
    "infer_transport",
]

Streams = tuple[Any, Any]


class ClientTransport(abc.ABC):
    """Opens one MCP connection and yields a ``ClientSession`` on it (entered, not initialized)."""

    #: Transports that can only carry the handshake (pre-2026) era; ``mode="auto"`` skips the probe on them.
    legacy_only: bool = False

    @abc.abstractmethod
    def connect_session(self, **session_kwargs: Any) -> contextlib.AbstractAsyncContextManager[ClientSession]:
        """An async context manager yielding a ``ClientSession`` built with ``session_kwargs``."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release anything kept between connections (nothing, by default)."""

    def get_session_id(self) -> str | None:
        return None

    def _set_auth(self, auth: Any) -> None:
        if auth is not None:
            raise ValueError(f"{type(self).__name__} does not support auth")

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


@contextlib.asynccontextmanager
async def _session_on(streams: contextlib.AbstractAsyncContextManager[Streams], **kwargs: Any) -> AsyncIterator[Any]:
    async with streams as (read, write), ClientSession(read, write, **kwargs) as session:
        yield session


# -- stdio ----------------------------------------------------------------------------------------------------


class StdioTransport(ClientTransport):
    """Runs ``command args...`` as a subprocess and speaks MCP over its stdin/stdout (stderr goes to
    ``log_file``, or this process's stderr). Each connection starts its own subprocess; it ends with the
    connection."""

    def __init__(
        self,
        command: str,
        args: list[str],
        env: dict[str, str] | None = None,
        cwd: str | Path | None = None,
        keep_alive: bool | None = None,
        log_file: Path | IO[str] | None = None,
    ) -> None:
        self.command = command
        self.args = list(args)
        self.env = env
        self.cwd = str(cwd) if cwd is not None else None
        self.keep_alive = True if keep_alive is None else keep_alive
        self.log_file = log_file

    @contextlib.asynccontextmanager
    async def connect_session(self, **session_kwargs: Any) -> AsyncIterator[ClientSession]:
        params = StdioServerParameters(command=self.command, args=self.args, env=self.env, cwd=self.cwd)
        with contextlib.ExitStack() as files:
            if self.log_file is None:
                errlog: Any = sys.stderr
            elif isinstance(self.log_file, (str, Path)):
                errlog = files.enter_context(Path(self.log_file).open("a"))
            else:
                errlog = self.log_file
            async with _session_on(stdio_client(params, errlog=errlog), **session_kwargs) as session:
                yield session

    def __repr__(self) -> str:
        return f"<{type(self).__name__}(command={self.command!r}, args={self.args!r})>"


def _script(script_path: str | Path, suffix: str, kind: str) -> Path:
    path = Path(script_path).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"Script not found: {path}")
    if path.suffix != suffix:
        raise ValueError(f"Not a {kind} script: {path}")
    return path


class PythonStdioTransport(StdioTransport):
    """Runs a Python script (``python_cmd script.py args...``) over stdio."""

    def __init__(
        self,
        script_path: str | Path,
        args: list[str] | None = None,
        env: dict[str, str] | None = None,
        cwd: str | Path | None = None,
        python_cmd: str = sys.executable,
        keep_alive: bool | None = None,
        log_file: Path | IO[str] | None = None,
    ) -> None:
        self.script_path = _script(script_path, ".py", "Python")
        # mcp's stdio_client hands the child a minimal environment; keep its text I/O in UTF-8.
        env = {"PYTHONUTF8": "1", **(env or {})}
        super().__init__(python_cmd, [str(self.script_path), *(args or [])], env, cwd, keep_alive, log_file)


class NodeStdioTransport(StdioTransport):
    """Runs a Node.js script (``node_cmd script.js args...``) over stdio."""

    def __init__(
        self,
        script_path: str | Path,
        args: list[str] | None = None,
        env: dict[str, str] | None = None,
        cwd: str | Path | None = None,
        node_cmd: str = "node",
        keep_alive: bool | None = None,
        log_file: Path | IO[str] | None = None,
    ) -> None:
        self.script_path = _script(script_path, ".js", "JavaScript")
        super().__init__(node_cmd, [str(self.script_path), *(args or [])], env, cwd, keep_alive, log_file)


# -- HTTP -----------------------------------------------------------------------------------------------------


class BearerAuth(httpx2.Auth):
    """Sends ``Authorization: Bearer <token>`` on every request."""

    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx2.Request) -> Any:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request


def _resolve_auth(auth: Any) -> httpx2.Auth | None:
    if auth is None or isinstance(auth, httpx2.Auth):
        return auth
    if auth == "oauth":
        raise NotImplementedError("auth='oauth' (the OAuth flow) is not supported by fastmcp_rs.Client yet")
    if isinstance(auth, str):
        return BearerAuth(auth)
    raise TypeError(f"auth must be an httpx2.Auth, a bearer token string or None, not {type(auth).__name__}")


def _check_url(url: Any, kind: str) -> str:
    url = str(url)
    if not url.startswith("http"):
        raise ValueError(f"Invalid HTTP/S URL provided for {kind}.")
    return url


class _HttpTransport(ClientTransport):
    url: str
    headers: dict[str, str]
    httpx_client_factory: Any
    verify: ssl.SSLContext | bool | str | None
    auth: httpx2.Auth | None

    def _set_auth(self, auth: Any) -> None:
        self.auth = _resolve_auth(auth)

    def _http_client(self, read_timeout: float | None) -> httpx2.AsyncClient:
        # The session enforces request timeouts; the HTTP read timeout only has to outlast the longest call.
        timeout = httpx2.Timeout(30.0, read=max(300.0, read_timeout or 0.0))
        if self.httpx_client_factory is not None:
            return self.httpx_client_factory(headers=dict(self.headers), auth=self.auth, timeout=timeout)
        kwargs: dict[str, Any] = {"headers": dict(self.headers), "timeout": timeout, "follow_redirects": True}
        if self.auth is not None:
            kwargs["auth"] = self.auth
        if self.verify is not None:
            kwargs["verify"] = self.verify
        return httpx2.AsyncClient(**kwargs)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}(url={self.url!r})>"


class StreamableHttpTransport(_HttpTransport):
    """Streamable HTTP (``POST``/``GET`` on one endpoint, usually ``.../mcp``), via ``mcp``'s client."""

    def __init__(
        self,
        url: str | Any,
        headers: dict[str, str] | None = None,
        auth: httpx2.Auth | Literal["oauth"] | str | None = None,
        httpx_client_factory: Any = None,
        verify: ssl.SSLContext | bool | str | None = None,
        *,
        max_sse_event_size: int | None = 1024 * 1024,
    ) -> None:
        self.url = _check_url(url, "Streamable HTTP")
        self.headers = dict(headers or {})
        self.httpx_client_factory = httpx_client_factory
        self.verify = verify
        self.max_sse_event_size = max_sse_event_size
        self._session_id: str | None = None
        self._set_auth(auth)

    async def _capture_session_id(self, response: httpx2.Response) -> None:
        if sid := response.headers.get("mcp-session-id"):
            self._session_id = sid

    @contextlib.asynccontextmanager
    async def connect_session(self, **session_kwargs: Any) -> AsyncIterator[ClientSession]:
        from mcp.client.streamable_http import streamable_http_client

        http_client = self._http_client(session_kwargs.get("read_timeout_seconds"))
        http_client.event_hooks.setdefault("response", []).append(self._capture_session_id)
        self._session_id = None
        streams = streamable_http_client(self.url, http_client=http_client, max_sse_event_size=self.max_sse_event_size)
        async with http_client, _session_on(streams, **session_kwargs) as session:
            yield session

    def get_session_id(self) -> str | None:
        return self._session_id

    async def close(self) -> None:
        self._session_id = None


class SSETransport(_HttpTransport):
    """The legacy HTTP+SSE transport (``GET .../sse`` plus ``POST`` to the announced endpoint)."""

    legacy_only = True

    def __init__(
        self,
        url: str | Any,
        headers: dict[str, str] | None = None,
        auth: httpx2.Auth | Literal["oauth"] | str | None = None,
        sse_read_timeout: datetime.timedelta | float | None = None,
        httpx_client_factory: Any = None,
        verify: ssl.SSLContext | bool | str | None = None,
    ) -> None:
        self.url = _check_url(url, "SSE")
        self.headers = dict(headers or {})
        self.httpx_client_factory = httpx_client_factory
        self.verify = verify
        if isinstance(sse_read_timeout, datetime.timedelta):
            sse_read_timeout = sse_read_timeout.total_seconds()
        self.sse_read_timeout = sse_read_timeout
        self._set_auth(auth)

    @contextlib.asynccontextmanager
    async def connect_session(self, **session_kwargs: Any) -> AsyncIterator[ClientSession]:
        from mcp.client.sse import sse_client

        read_timeout = session_kwargs.get("read_timeout_seconds")
        kwargs: dict[str, Any] = {"headers": self.headers, "auth": self.auth}
        if self.sse_read_timeout is not None:
            kwargs["sse_read_timeout"] = self.sse_read_timeout
        elif read_timeout is not None:
            kwargs["sse_read_timeout"] = max(300.0, read_timeout)
        if self.httpx_client_factory is not None or self.verify is not None:

            def factory(headers: Any = None, timeout: Any = None, auth: Any = None) -> httpx2.AsyncClient:
                if self.httpx_client_factory is not None:
                    return self.httpx_client_factory(headers=headers, timeout=timeout, auth=auth)
                return httpx2.AsyncClient(
                    headers=headers, timeout=timeout, auth=auth, verify=self.verify, follow_redirects=True
                )

            kwargs["httpx_client_factory"] = factory
        async with _session_on(sse_client(self.url, **kwargs), **session_kwargs) as session:
            yield session


# -- in memory ------------------------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def _native_memory_streams(server: Any) -> AsyncIterator[Streams]:
    """A JSON-RPC connection to a fastmcp_rs server in this process, as mcp's stream pair."""
    native = server._native
    if not hasattr(native, "connect_memory"):
        raise RuntimeError(
            "in-memory connections need a fastmcp_rs._core with connect_memory(); rebuild the extension "
            "(or connect over stdio: Client(PythonStdioTransport('server.py')))"
        )
    run = await _acquire_run(server)
    try:
        incoming_send, incoming = anyio.create_memory_object_stream[SessionMessage | Exception](math.inf)
        outgoing, outgoing_receive = anyio.create_memory_object_stream[SessionMessage](0)

        def on_message(data: bytes | str) -> None:  # called on the loop thread, one message each
            try:
                item: SessionMessage | Exception = SessionMessage(
                    mcp_types.jsonrpc_message_adapter.validate_json(data, by_name=False)
                )
            except ValueError as exc:
                item = exc
            with contextlib.suppress(anyio.ClosedResourceError, anyio.BrokenResourceError):
                incoming_send.send_nowait(item)

        conn = native.connect_memory(on_message)

        async def pump() -> None:
            async with outgoing_receive:
                async for message in outgoing_receive:
                    conn.send(message.message.model_dump_json(by_alias=True, exclude_unset=True).encode())

        try:
            async with incoming_send, incoming, outgoing, anyio.create_task_group() as tg:
                tg.start_soon(pump)
                try:
                    yield incoming, outgoing
                finally:
                    tg.cancel_scope.cancel()
        finally:
            conn.close()
    finally:
        with anyio.CancelScope(shield=True):
            await _release_run(server, run)


def _is_fastmcp_rs(server: Any) -> bool:
    try:
        from ..server import FastMCP
    except ImportError:  # pragma: no cover
        return False
    return isinstance(server, FastMCP)


def _sdk_server(server: Any) -> Any:
    """The SDK's low-level ``Server`` behind ``server`` (an ``mcp`` ``MCPServer``/``Server``), or None."""
    try:
        from mcp.server import Server
        from mcp.server.mcpserver import MCPServer
    except ImportError:  # pragma: no cover
        return None
    if isinstance(server, MCPServer):
        return server
    if isinstance(server, Server):
        return server
    return None


class FastMCPTransport(ClientTransport):
    """Connects to a server object in this process: a ``fastmcp_rs.FastMCP`` (over the native core's memory
    connection: no sockets, no subprocess; its lifespan runs while connected) or an ``mcp`` SDK server."""

    def __init__(self, mcp: Any, raise_exceptions: bool = False) -> None:
        if not _is_fastmcp_rs(mcp) and _sdk_server(mcp) is None:
            raise TypeError(f"FastMCPTransport needs a fastmcp_rs.FastMCP or an mcp server, not {mcp!r}")
        self.server = mcp
        self.raise_exceptions = raise_exceptions

    def _streams(self) -> contextlib.AbstractAsyncContextManager[Streams]:
        if _is_fastmcp_rs(self.server):
            return _native_memory_streams(self.server)
        from mcp.client._memory import InMemoryTransport

        server = self.server
        inner = getattr(server, "_lowlevel_server", server)
        return InMemoryTransport(inner, raise_exceptions=self.raise_exceptions)

    def connect_session(self, **session_kwargs: Any) -> contextlib.AbstractAsyncContextManager[ClientSession]:
        return _session_on(self._streams(), **session_kwargs)

    def __repr__(self) -> str:
        return f"<FastMCPTransport(server={getattr(self.server, 'name', self.server)!r})>"


# -- inference ------------------------------------------------------------------------------------------------


def infer_transport(transport: Any) -> ClientTransport:
    """The transport for what ``Client(...)`` was given: a transport as it is; a server object in memory; a
    ``.py``/``.js`` path over stdio; an ``http(s)://`` URL over Streamable HTTP (SSE when it ends in ``/sse``);
    ``mcp``'s ``StdioServerParameters`` over stdio."""
    if isinstance(transport, ClientTransport):
        return transport
    if _is_fastmcp_rs(transport) or _sdk_server(transport) is not None:
        return FastMCPTransport(transport)
    if isinstance(transport, StdioServerParameters):
        return StdioTransport(transport.command, transport.args, transport.env, transport.cwd)
    if isinstance(transport, Path) or (
        isinstance(transport, str) and transport.endswith((".py", ".js")) and Path(transport).is_file()
    ):
        path = Path(transport)
        if path.suffix == ".py":
            return PythonStdioTransport(path)
        if path.suffix == ".js":
            return NodeStdioTransport(path)
        raise ValueError(f"Unsupported script type: {transport}")
    if isinstance(transport, str) or hasattr(transport, "scheme"):  # a str or a pydantic AnyUrl
        url = str(transport)
        if url.startswith("http"):
            if re.search(r"/sse(/|$)", urlsplit(url).path):
                return SSETransport(url)
            return StreamableHttpTransport(url)
    if isinstance(transport, dict):
        raise NotImplementedError("MCPConfig dictionaries are not supported by fastmcp_rs.Client yet")
    raise ValueError(f"Could not infer a valid transport from: {transport!r}")
