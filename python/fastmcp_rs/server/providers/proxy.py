"""``fastmcp.server.providers.proxy``: a server that fronts another MCP server (``create_proxy(target)``,
``FastMCPProxy(client_factory=...)``), as FastMCP 4 serves one, with the upstream connection kept.

What clients see is FastMCP 4's proxy: the upstream's tools, resources, templates and prompts, each listing
fetched again from the upstream when a client lists (with ``_meta.fastmcp.tags`` and a generated title as
FastMCP 4 adds them), calls, reads and prompts forwarded with their arguments and ``_meta`` and their results
relayed as they come (an upstream failure of a call is the error result ``Error calling tool '<name>': ...``),
and the upstream's requests and notifications during a request (sampling, elicitation, roots, log messages,
progress, list changes) relayed to the client that made it.

Where this differs from FastMCP 4, on purpose: FastMCP 4 opens a new upstream connection, with its own
``initialize`` handshake, for every request (its issues #930 and #3466). Here each client session gets one
upstream connection, opened on its first request and reused for every later one (requests without a session,
and the listings the proxy fetches for itself, share one); it is closed when the session ends, and over HTTP
it carries the headers of the request that opened it (``Authorization`` among them). Proxied
components are registered in the core like local ones, so a call is one Python step (the forwarding) with no
handshake. ``ping`` is answered by the proxy itself, and the upstream's instructions are read once, at start (with
``identity="upstream"``, its ``serverInfo`` too: clients then see the upstream's name in ``initialize`` and
``server/discover``, and proxied results keep its ``serverInfo`` stamp, as in FastMCP 4).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import dataclasses
import inspect
import json
import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ...client.client import Client
from ...prompts.base import Prompt, PromptArgument
from ...resources.base import Resource
from ...resources.template import ResourceTemplate
from ...tools.base import Tool

if TYPE_CHECKING:
    from ..._core import RequestHandle

__all__ = [
    "ClientFactoryT",
    "FastMCPProxy",
    "ProxyClient",
    "ProxyPrompt",
    "ProxyProvider",
    "ProxyResource",
    "ProxyTemplate",
    "ProxyTool",
    "StatefulProxyClient",
]

_log = logging.getLogger("fastmcp.server.providers.proxy")

ClientFactoryT = Callable[[], "Client[Any] | Awaitable[Client[Any]]"]
ProxyIdentity = Literal["proxy", "upstream"]

#: ``_meta`` keys that describe one connection; they are not carried from one side of the proxy to the other.
_CONNECTION_KEYS = frozenset(
    {
        "io.modelcontextprotocol/protocolVersion",
        "io.modelcontextprotocol/clientInfo",
        "io.modelcontextprotocol/clientCapabilities",
    }
)
_SERVER_INFO = "io.modelcontextprotocol/serverInfo"


def _unforwarded() -> frozenset[str]:
    """Request headers a proxy does not carry to its upstream: those ``get_http_headers()`` leaves out (they
    belong to one hop), but the caller's ``Authorization``, and the last event id."""
    from ..dependencies import _EXCLUDED

    return (_EXCLUDED - {"authorization"}) | {"last-event-id"}


_LIST_KINDS = {
    "tools/list": "tools",
    "resources/list": "resources",
    "resources/templates/list": "templates",
    "prompts/list": "prompts",
}
_LIST_CHANGED = {
    "notifications/tools/list_changed": ("tools",),
    "notifications/resources/list_changed": ("resources", "templates"),
    "notifications/prompts/list_changed": ("prompts",),
}


def _dump(model: Any) -> dict[str, Any]:
    if isinstance(model, dict):
        return model
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def _relayed_meta(meta: Any, identity: ProxyIdentity) -> dict[str, Any] | None:
    """A result's ``_meta`` as it crosses the proxy: without the keys of one connection, and without the
    upstream's ``serverInfo`` unless the proxy answers as the upstream."""
    if not meta:
        return None
    kept = {
        k: v
        for k, v in dict(meta).items()
        if k not in _CONNECTION_KEYS and (k != _SERVER_INFO or identity == "upstream")
    }
    return kept or None


def _forwarded_meta(handle: RequestHandle | None) -> dict[str, Any] | None:
    """The downstream request's ``_meta`` as it goes upstream (its progress token is the proxy's own there)."""
    meta = handle.meta if handle is not None else None
    if not isinstance(meta, dict):
        return None
    kept = {k: v for k, v in meta.items() if k not in _CONNECTION_KEYS and k != "progressToken"}
    return kept or None


def _listed(meta: Any) -> tuple[dict[str, Any] | None, set[str]]:
    """An upstream component's ``_meta`` and tags: its tags from ``_meta.fastmcp.tags`` (FastMCP 2's
    ``_fastmcp`` too), its other public ``fastmcp`` keys kept (the ``_``-prefixed ones are the upstream's own)."""
    meta = dict(meta or {})
    ours = meta.get("fastmcp") if isinstance(meta.get("fastmcp"), dict) else {}
    legacy = meta.get("_fastmcp") if isinstance(meta.get("_fastmcp"), dict) else {}
    tags = set(ours.get("tags") or legacy.get("tags") or ())
    public = {k: v for k, v in ours.items() if not k.startswith("_") and k != "tags"}
    if public:
        meta["fastmcp"] = public
    else:
        meta.pop("fastmcp", None)
    return meta or None, tags


def _apart(coro: Any) -> Any:
    """Runs ``coro`` (a request to the upstream) in a task with a context of its own: the upstream
    connection's tasks keep the context of the last message sent through them (mcp carries it with each
    message), and must not keep the downstream request, nor its session, alive. Cancelling the caller cancels
    it too."""
    return contextvars.Context().run(asyncio.get_running_loop().create_task, coro)


class _UpstreamError(Exception):
    """What the upstream answered instead of a result (its message is what the client reads)."""


def _failure(exc: BaseException) -> Exception:
    """A failure to reach the upstream, as FastMCP 4 words it."""
    from mcp.shared.exceptions import MCPError

    if isinstance(exc, MCPError):
        return _UpstreamError(exc.error.message if hasattr(exc, "error") else str(exc))
    return RuntimeError(f"Client failed to connect: {exc}")


# -- components ------------------------------------------------------------------------------------------


@dataclasses.dataclass(kw_only=True, eq=False)
class ProxyTool(Tool):
    """An upstream tool: listed as the upstream lists it, its calls forwarded with their arguments unchecked."""

    proxy: Any = dataclasses.field(default=None, repr=False)
    backend_name: str = ""

    @classmethod
    def from_mcp_tool(cls, proxy: FastMCPProxy, tool: Any) -> ProxyTool:
        wire = _dump(tool)
        meta, tags = _listed(wire.get("_meta"))
        return cls(
            name=wire["name"],
            title=wire.get("title"),
            description=wire.get("description"),
            parameters=wire.get("inputSchema") or {"type": "object", "properties": {}},
            output_schema=wire.get("outputSchema"),
            annotations=wire.get("annotations"),
            icons=wire.get("icons"),
            meta=meta,
            tags=tags,
            proxy=proxy,
            backend_name=wire["name"],
        )

    def __post_init__(self) -> None:
        # The upstream's schemas are its own: listed as they are, never checked or rewritten here.
        output_schema, self.output_schema = self.output_schema, None
        super().__post_init__()
        self.output_schema = output_schema

    async def run(self, arguments: dict[str, Any]) -> Any:
        return await self.proxy._call_tool(self.backend_name, arguments)

    def _native_forward(self) -> tuple[Any, str] | None:
        """The core's upstream and this tool's name there, when the core forwards its calls itself."""
        native = getattr(self.proxy, "_upstream_native", None)
        if native is None or type(self).run is not ProxyTool.run:
            return None
        return native.upstream, self.backend_name

    def convert(self, value: Any) -> dict[str, Any]:
        return value if isinstance(value, dict) else super().convert(value)


def _resource_fields(proxy: FastMCPProxy, wire: dict[str, Any], uri: str) -> dict[str, Any]:
    """What an upstream resource or template lists, as the fields of ours (a missing MIME type is
    ``text/plain``, as FastMCP 4's proxy lists it)."""
    meta, tags = _listed(wire.get("_meta"))
    return dict(
        name=wire.get("name") or uri,
        title=wire.get("title"),
        description=wire.get("description"),
        mime_type=wire.get("mimeType") or "text/plain",
        annotations=wire.get("annotations"),
        icons=wire.get("icons"),
        meta=meta,
        tags=tags,
        proxy=proxy,
    )


@dataclasses.dataclass(kw_only=True, eq=False)
class ProxyResource(Resource):
    """An upstream resource, read from the upstream on every read."""

    proxy: Any = dataclasses.field(default=None, repr=False)
    backend_uri: str = ""

    @classmethod
    def from_mcp_resource(cls, proxy: FastMCPProxy, resource: Any) -> ProxyResource:
        wire = _dump(resource)
        return cls(uri=wire["uri"], backend_uri=wire["uri"], **_resource_fields(proxy, wire, wire["uri"]))

    async def _serve_async(self, uri: str) -> dict[str, Any]:
        return await self.proxy._read(self.backend_uri, uri)

    def _native_forward(self) -> tuple[Any, str] | None:
        """The core's upstream and this resource's URI there, when the core forwards its reads itself."""
        native = getattr(self.proxy, "_upstream_native", None)
        if native is None or type(self)._serve_async is not ProxyResource._serve_async:
            return None
        return native.upstream, self.backend_uri


@dataclasses.dataclass(kw_only=True, eq=False)
class ProxyTemplate(ResourceTemplate):
    """An upstream resource template: a read of a URI it matches is a read of the upstream's URI."""

    proxy: Any = dataclasses.field(default=None, repr=False)
    backend_template: str = ""

    @classmethod
    def from_mcp_template(cls, proxy: FastMCPProxy, template: Any) -> ProxyTemplate:
        wire = _dump(template)
        uri = wire["uriTemplate"]
        return cls(uri_template=uri, backend_template=uri, **_resource_fields(proxy, wire, uri))

    def backend_uri(self, uri: str) -> str:
        """The upstream's URI for one this template serves (a mount's namespace changes only the part before
        the first parameter)."""
        outer = self.uri_template.split("{", 1)[0]
        inner = self.backend_template.split("{", 1)[0]
        return inner + uri[len(outer) :] if uri.startswith(outer) else uri

    async def _serve_async(self, arguments: dict[str, Any], uri: str) -> dict[str, Any]:
        return await self.proxy._read(self.backend_uri(uri), uri)

    def _native_forward(self) -> tuple[Any, str, str] | None:
        """The core's upstream and how a URI this template serves is named there (the part before the first
        parameter, here and there), when the core forwards its reads itself."""
        native = getattr(self.proxy, "_upstream_native", None)
        if native is None or type(self)._serve_async is not ProxyTemplate._serve_async:
            return None
        if type(self).backend_uri is not ProxyTemplate.backend_uri:
            return None
        return native.upstream, self.uri_template.split("{", 1)[0], self.backend_template.split("{", 1)[0]


@dataclasses.dataclass(kw_only=True, eq=False)
class ProxyPrompt(Prompt):
    """An upstream prompt, rendered by the upstream."""

    proxy: Any = dataclasses.field(default=None, repr=False)
    backend_name: str = ""

    @classmethod
    def from_mcp_prompt(cls, proxy: FastMCPProxy, prompt: Any) -> ProxyPrompt:
        wire = _dump(prompt)
        meta, tags = _listed(wire.get("_meta"))
        arguments = [
            PromptArgument(
                name=a["name"],
                description=a.get("description"),
                required=bool(a.get("required")),
                title=a.get("title"),
            )
            for a in wire.get("arguments") or []
        ]
        return cls(
            name=wire["name"],
            title=wire.get("title"),
            description=wire.get("description"),
            arguments=arguments,
            icons=wire.get("icons"),
            meta=meta,
            tags=tags,
            proxy=proxy,
            backend_name=wire["name"],
        )

    async def _serve_async(self, arguments: dict[str, Any]) -> dict[str, Any]:
        return await self.proxy._get_prompt(self.backend_name, arguments)

    def _native_forward(self) -> tuple[Any, str] | None:
        """The core's upstream and this prompt's name there, when the core forwards it itself."""
        native = getattr(self.proxy, "_upstream_native", None)
        if native is None or type(self)._serve_async is not ProxyPrompt._serve_async:
            return None
        return native.upstream, self.backend_name


# -- the upstream connections ----------------------------------------------------------------------------


class _Upstream:
    """One upstream connection and the downstream request it last served (where what the upstream sends
    during a request is relayed)."""

    __slots__ = ("client", "current", "owned", "session")

    def __init__(self, client: Client[Any], owned: bool, session: Any) -> None:
        self.client = client
        self.owned = owned
        self.session = session
        self.current: RequestHandle | None = None


class _Pool:
    """The proxy's upstream connections: one per client session, one shared by everything without a
    session. A connection whose session has ended is closed the next time one opens (and at shutdown)."""

    def __init__(self, proxy: FastMCPProxy) -> None:
        self._proxy = proxy
        self._open: dict[str, _Upstream] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        #: One connection for everyone (an upstream over stdio: one subprocess, as FastMCP 4 keeps it).
        self.shared = False

    def _key(self, handle: RequestHandle | None) -> tuple[str, Any]:
        if self.shared or handle is None or handle.is_modern or handle.session_id is None:
            return "", None
        return f"s:{handle.session_id}", handle.view_ref()

    async def get(self, handle: RequestHandle | None) -> _Upstream:
        key, session = self._key(handle)
        entry = self._open.get(key)
        if entry is None or not entry.client.is_connected():
            lock = self._locks.setdefault(key, asyncio.Lock())
            async with lock:
                entry = self._open.get(key)
                if entry is None or not entry.client.is_connected():
                    await self.prune()
                    # Opened apart: the connection's tasks outlive this request.
                    entry = await _apart(self._connect(session, handle if key else None))
                    self._open[key] = entry
        return entry

    @contextlib.asynccontextmanager
    async def serving(self, handle: RequestHandle | None) -> Any:
        """The connection for ``handle``'s client, with what the upstream sends meanwhile relayed to that
        request (the handle is let go afterwards, so an ended session is not kept alive by it)."""
        entry = await self.get(handle)
        before, entry.current = entry.current, handle if handle is not None else entry.current
        try:
            yield entry
        finally:
            if entry.current is handle:
                entry.current = before if before is not handle else None

    async def _connect(self, session: Any, handle: RequestHandle | None) -> _Upstream:
        made = self._proxy.client_factory()
        if asyncio.iscoroutine(made) or isinstance(made, asyncio.Future):
            made = await made
        client: Client[Any] = made
        owned = not client.is_connected()
        if owned and handle is not None:
            _forward_headers(client, handle)
        if owned:
            try:
                await client.__aenter__()
            except Exception as exc:
                raise _failure(exc) from exc
        entry = _Upstream(client, owned, session)
        client._proxy_upstream = entry  # type: ignore[attr-defined]  # where its relays find the request
        return entry

    async def prune(self) -> None:
        for key, entry in list(self._open.items()):
            if entry.session is not None and not entry.session.alive:
                del self._open[key]
                self._locks.pop(key, None)
                await self._close(entry)

    @staticmethod
    async def _close(entry: _Upstream) -> None:
        if entry.owned:
            with contextlib.suppress(Exception):
                await entry.client.__aexit__(None, None, None)

    async def close(self) -> None:
        entries, self._open = list(self._open.values()), {}
        for entry in entries:
            await self._close(entry)

    def __len__(self) -> int:
        return len(self._open)


# -- the upstream spoken by the core ----------------------------------------------------------------------


class _Rejected(Exception):
    """The upstream's JSON-RPC error, as it answered it (through the core)."""

    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(str(error.get("message", "")))
        self.code = int(error.get("code", -32603))
        self.data = error.get("data")


def _settle(future: asyncio.Future[Any], kind: str, payload: Any) -> None:
    if not future.done():
        future.set_result((kind, payload))


class _Native:
    """An HTTP upstream reached by the core (``_core.Upstream``): each client session on an upstream session
    of its own, the proxy's own fetches on a shared one, and what the upstream sends during a request relayed
    natively. Proxied tools are registered to be forwarded by the core; the proxy's listings, reads and
    prompts go out on the same upstream sessions from here."""

    def __init__(self, proxy: FastMCPProxy, upstream: Any) -> None:
        self.upstream = upstream
        self.loop: asyncio.AbstractEventLoop | None = None

    async def request(
        self, handle: RequestHandle | None, method: str, params: dict[str, Any] | None = None, meta: bool = False
    ) -> Any:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()

        def done(kind: str, payload: Any) -> None:
            with contextlib.suppress(RuntimeError):  # the loop has closed meanwhile
                loop.call_soon_threadsafe(_settle, future, kind, payload)

        self.upstream.request(handle, method, params or {}, done, forward_meta=meta)
        kind, payload = await future
        if kind == "result":
            return payload
        if kind == "error":
            raise _Rejected(payload)
        raise RuntimeError(payload)

    async def list_all(self, handle: RequestHandle | None, kind: str) -> list[Any]:
        method, field = {
            "tools": ("tools/list", "tools"),
            "resources": ("resources/list", "resources"),
            "templates": ("resources/templates/list", "resourceTemplates"),
            "prompts": ("prompts/list", "prompts"),
        }[kind]
        items: list[Any] = []
        cursor = None
        seen: set[str] = set()
        while True:
            try:
                page = await self.request(handle, method, {"cursor": cursor} if cursor else None)
            except _Rejected as exc:
                if exc.code == -32601:  # the upstream has none
                    return []
                raise
            items.extend(page.get(field) or [])
            cursor = page.get("nextCursor")
            if not cursor or cursor in seen:
                return items
            seen.add(cursor)


def _native_upstream(factory: Any, proxy: FastMCPProxy) -> _Native | None:
    """The core's upstream for ``factory``'s connections, when it can speak them: a plain ``ProxyClient`` of a
    Streamable HTTP URL in the handshake era, with no handlers of its own and no custom HTTP client or auth
    beyond a bearer token (``FASTMCP_RS_NATIVE_PROXY=0`` turns it off)."""
    import os

    from ... import __version__
    from ..._core import Upstream
    from ...client.transports import BearerAuth, StreamableHttpTransport

    if os.environ.get("FASTMCP_RS_NATIVE_PROXY", "1") in ("0", "false", "no"):
        return None
    client = getattr(factory, "__self__", None)
    if type(client) not in (ProxyClient, StatefulProxyClient) or client._own_handlers:
        return None
    transport = client.transport
    if type(transport) is not StreamableHttpTransport or client.mode != "legacy":
        return None
    if transport.httpx_client_factory is not None or transport.verify is not None:
        return None
    headers = dict(transport.headers)
    if isinstance(transport.auth, BearerAuth):
        headers.setdefault("Authorization", f"Bearer {transport.auth._token}")
    elif transport.auth is not None:
        return None
    info = client._session_kwargs.get("client_info")

    def changed(kind: str) -> None:
        loop = native.loop
        if loop is not None and not loop.is_closed():
            kinds = ("resources", "templates") if kind == "resources" else (kind,)
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(proxy._upstream_changed, kinds)

    upstream = Upstream(
        transport.url,
        headers=list(headers.items()),
        forward_headers=bool(client.forward_incoming_headers),
        unforwarded=sorted(_unforwarded()),
        client_name=getattr(info, "name", None) or "fastmcp-rs",
        client_version=getattr(info, "version", None) or __version__,
        as_upstream=proxy.identity == "upstream",
        on_list_changed=changed,
    )
    native = _Native(proxy, upstream)
    return native


# -- the proxy's client ----------------------------------------------------------------------------------


def _forward_headers(client: Client[Any], handle: RequestHandle) -> None:
    """A session's own upstream connection over HTTP carries the headers of the client's request that opened
    it (its ``Authorization`` among them), as FastMCP 4's proxy forwards them; the transport's own win."""
    import copy

    headers = handle.headers
    transport = client.transport
    if not headers or not getattr(client, "forward_incoming_headers", False) or not hasattr(transport, "headers"):
        return
    own = {k.lower() for k in transport.headers}
    carried = {
        k: v for k, v in headers.items() if k not in _unforwarded() and not k.startswith("mcp-") and k not in own
    }
    if carried:
        transport = copy.copy(transport)
        transport.headers = {**carried, **client.transport.headers}
        client.transport = transport


def _relay_target(client: Any) -> tuple[Any, Any] | None:
    """The downstream request a pooled upstream connection last served, and its ``Context``."""
    entry = getattr(client, "_proxy_upstream", None)
    handle = entry.current if entry is not None else None
    if handle is None:
        return None
    from ..._context import Context

    proxy = getattr(client, "_proxy_server", None)
    return handle, Context(handle, proxy)


def _error_data(exc: BaseException) -> Any:
    import mcp.types as mcp_types

    code = getattr(exc, "code", None)
    return mcp_types.ErrorData(code=code if isinstance(code, int) else -32603, message=str(exc) or type(exc).__name__)


class ProxyClient(Client[Any]):
    """The client a proxy reaches its upstream with: the handshake era by default, and what the upstream asks
    during a request (sampling, elicitation, roots) or tells (log messages, list changes) relayed to the
    downstream client that made the request. Handlers given explicitly are used instead."""

    def __init__(self, transport: Any, *, forward_incoming_headers: bool = True, **client_kwargs: Any) -> None:
        client_kwargs.setdefault("mode", "legacy")
        own = {k: client_kwargs.get(k) for k in ("roots", "sampling_handler", "elicitation_handler", "log_handler")}
        own["message_handler"] = client_kwargs.get("message_handler")
        super().__init__(transport, **client_kwargs)
        self.forward_incoming_headers = forward_incoming_headers
        self._own_handlers = {k for k, v in own.items() if v is not None}
        self._install_relays()

    def new(self) -> ProxyClient:
        clone = super().new()
        assert isinstance(clone, ProxyClient)
        clone._install_relays()
        return clone

    def _install_relays(self) -> None:
        import mcp.types as mcp_types

        client = self
        kwargs = self._session_kwargs

        async def sampling(context: Any, params: Any) -> Any:
            target = _relay_target(client)
            if target is None:
                return mcp_types.ErrorData(code=-32603, message="No downstream request to relay sampling to")
            wire = _dump(params)
            wire.pop("tools", None)
            wire.pop("toolChoice", None)
            try:
                result = await target[1]._request("sampling/createMessage", wire, "sampling")
                return mcp_types.CreateMessageResult.model_validate(result)
            except Exception as exc:
                return _error_data(exc)

        async def elicitation(context: Any, params: Any) -> Any:
            target = _relay_target(client)
            if target is None:
                return mcp_types.ErrorData(code=-32603, message="No downstream request to relay elicitation to")
            wire = _dump(params)
            if wire.get("mode") == "url" and not wire.get("elicitationId"):
                return _error_data(
                    ValueError(
                        "URL-mode elicitation request from the remote server has no elicitationId; the proxy "
                        "cannot forward it."
                    )
                )
            try:
                result = await target[1]._request("elicitation/create", wire, "elicitation")
                return mcp_types.ElicitResult.model_validate(result)
            except Exception as exc:
                return _error_data(exc)

        async def roots(context: Any) -> Any:
            target = _relay_target(client)
            if target is None:
                return mcp_types.ListRootsResult(roots=[])
            try:
                result = await target[1]._request("roots/list", {}, "roots")
                return mcp_types.ListRootsResult.model_validate(result)
            except Exception as exc:
                return _error_data(exc)

        async def log(params: Any) -> None:
            target = _relay_target(client)
            if target is None:
                return
            data = params.data
            if isinstance(data, dict) and "msg" in data:
                msg, extra = str(data.get("msg")), data.get("extra")
            elif isinstance(data, str):
                msg, extra = data, None
            else:
                msg, extra = json.dumps(data), None
            with contextlib.suppress(Exception):
                await target[1].log(msg, level=str(params.level), logger_name=params.logger, extra=extra)

        async def message(incoming: Any) -> None:
            method = getattr(getattr(incoming, "root", incoming), "method", None)
            kinds = _LIST_CHANGED.get(method) if isinstance(method, str) else None
            if kinds is None:
                return
            proxy = getattr(client, "_proxy_server", None)
            if proxy is not None:
                proxy._upstream_changed(kinds)

        if "sampling_handler" not in self._own_handlers:
            kwargs["sampling_callback"] = sampling
            kwargs["sampling_capabilities"] = mcp_types.SamplingCapability()
        if "elicitation_handler" not in self._own_handlers:
            kwargs["elicitation_callback"] = elicitation
        if "roots" not in self._own_handlers:
            kwargs["list_roots_callback"] = roots
        if "log_handler" not in self._own_handlers:
            kwargs["logging_callback"] = log
        if "message_handler" not in self._own_handlers:
            kwargs["message_handler"] = message


class StatefulProxyClient(ProxyClient):
    """FastMCP 4's client for a proxy that keeps one upstream session per client session
    (``FastMCPProxy(client_factory=StatefulProxyClient(target).new_stateful)``). Every proxy here does that,
    so ``new_stateful`` is ``new``; connections are closed with their sessions, or by ``clear()``."""

    def new_stateful(self) -> ProxyClient:
        return self.new()

    async def clear(self) -> None:
        return None


# -- the proxy server --------------------------------------------------------------------------------------


def _fastmcp_class() -> Any:
    from ..server import FastMCP

    return FastMCP


class FastMCPProxy(_fastmcp_class()):  # type: ignore[misc]
    """A server whose components are another server's (see the module docstring). ``client_factory`` makes
    the client for an upstream connection (a function returning a ``Client``, or an awaitable of one); a
    client it returns already connected is used as it is, and not closed here."""

    def __init__(
        self,
        *,
        client_factory: ClientFactoryT,
        provider_error_strategy: Literal["warn", "raise"] = "warn",
        identity: ProxyIdentity = "proxy",
        skills: bool = False,
        **kwargs: Any,
    ) -> None:
        if identity not in ("proxy", "upstream"):
            raise ValueError("identity must be 'proxy' or 'upstream'")
        kwargs.setdefault("name", f"FastMCPProxy-{secrets.token_hex(2)}")
        own_lifespan = kwargs.pop("lifespan", None)
        super().__init__(**kwargs)
        self.client_factory = client_factory
        self.provider_error_strategy = provider_error_strategy
        self.identity: ProxyIdentity = identity
        self._pool = _Pool(self)
        #: The core's own link to an HTTP upstream, when it can speak it (see ``_native_upstream``).
        self._upstream_native: _Native | None = None
        self._stale: set[str] = set()
        self._resyncing: asyncio.Task[None] | None = None
        self._user_lifespan = own_lifespan
        self._lifespan = self._proxy_lifespan  # type: ignore[assignment]
        self._list_hook = self._sync_for_listing
        self._install_chain()
        self._upstream_native = _native_upstream(client_factory, self)
        #: ``skills=True``: the upstream's skills discovery (``skills/list``, ``skills/get``) is forwarded, on a
        #: 2026-07-28 connection of its own that says it speaks the skills extension.
        self._proxy_skills = bool(skills)
        self._skills_conn: Any = None
        self._skills_lock = asyncio.Lock()
        if skills:
            self._add_bundled_extensions(self)

    def __repr__(self) -> str:
        return f"FastMCPProxy(name={self.name!r})"

    def required_extensions(self) -> Sequence[Any]:
        """The skills extension, for a proxy that forwards skills (registered where it is served or mounted)."""
        if not self._proxy_skills:
            return ()
        from ...skills.extension import SkillsExtension

        return (SkillsExtension(),)

    async def _skills_upstream(self) -> Any:
        """The connection skills discovery goes over (made on first use, kept until the proxy stops)."""
        async with self._skills_lock:
            if self._skills_conn is None:
                from ...skills.client import SkillsClientExtension

                made = self.client_factory()
                if inspect.isawaitable(made):
                    made = await made
                client = Client(made.transport, extensions=[SkillsClientExtension()], mode="auto")
                await client.__aenter__()
                self._skills_conn = client
            return self._skills_conn

    async def _proxied_skill_entries(self) -> list[dict[str, Any]]:
        """The upstream's skills (``MCPSkill`` wire form), every page; none when it does not offer them (an
        older server, or one without the extension)."""
        import mcp

        try:
            client = await self._skills_upstream()
        except Exception as exc:
            raise _failure(exc) from exc
        if client._skills_unavailable_reason() is not None:
            return []
        try:
            skills = await client.list_skills()
        except mcp.MCPError as exc:
            if exc.error.code == -32601:
                return []
            raise
        return [s.model_dump(mode="json", by_alias=True, exclude_none=True) for s in skills]

    # -- life --------------------------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _proxy_lifespan(self, server: Any) -> Any:
        if self._upstream_native is not None:
            self._upstream_native.loop = asyncio.get_running_loop()
        try:
            await self._sync(("tools", "resources", "templates", "prompts"), None, first=True)
            if self._upstream_native is not None:
                init = await self._upstream_native.request(None, "initialize")
            else:
                entry = await self._pool.get(None)
                known = entry.client.initialize_result
                init = _dump(known) if known is not None else {}
            if init.get("instructions"):
                self._native.set_instructions(init["instructions"])
            if self.identity == "upstream" and isinstance(init.get("serverInfo"), dict):
                # Clients see the upstream's name and version in ``initialize`` and ``server/discover``.
                self._native.set_upstream_identity(init["serverInfo"])
        except Exception as exc:
            if self.provider_error_strategy == "raise":
                raise
            _log.warning("Error during start-up from proxy %s: %s", self.name, exc)
        sweeper = _apart(self._sweep())
        try:
            if self._user_lifespan is not None:
                async with self._user_lifespan(server) as result:
                    yield result
            else:
                yield {}
        finally:
            sweeper.cancel()
            await self._pool.close()
            conn, self._skills_conn = self._skills_conn, None
            if conn is not None:
                with contextlib.suppress(Exception):
                    await conn.__aexit__(None, None, None)

    async def _sweep(self, every: float = 30.0) -> None:
        """Closes the upstream connections of ended sessions, also when no new session comes to do it."""
        while True:
            await asyncio.sleep(every)
            with contextlib.suppress(Exception):
                await self._pool.prune()

    # -- listings ----------------------------------------------------------------------------------------

    async def _sync_for_listing(self, method: str, handle: RequestHandle | None) -> None:
        kind = _LIST_KINDS.get(method)
        if kind is None:
            return
        from ..server import quiet_lists

        token = quiet_lists.set(True)
        try:
            await self._sync((kind,), handle)
        finally:
            quiet_lists.reset(token)

    async def _sync(self, kinds: tuple[str, ...], handle: RequestHandle | None, *, first: bool = False) -> None:
        """Brings the proxied components of ``kinds`` in line with what the upstream lists now."""
        try:
            fetched: dict[str, list[Any]] = {}
            if self._upstream_native is not None:
                for kind in kinds:
                    fetched[kind] = await self._upstream_native.list_all(handle, kind)
            else:
                async with self._pool.serving(handle) as entry:
                    client = entry.client
                    client._proxy_server = self  # type: ignore[attr-defined]
                    for kind in kinds:
                        fetched[kind] = await _apart(self._fetch(client, kind))
        except Exception as exc:
            if isinstance(exc, _Rejected):
                exc = _UpstreamError(str(exc))
            error = exc if isinstance(exc, (RuntimeError, _UpstreamError)) else _failure(exc)
            if self.provider_error_strategy == "raise" and not first:
                from ...exceptions import McpError

                raise McpError(str(error), -32603) from exc
            if first:
                raise error from exc
            _log.warning("Error during %s from provider %s: %s", "listing", self.name, error)
            return
        for kind, items in fetched.items():
            self._stale.discard(kind)
            self._replace(kind, items)

    @staticmethod
    async def _fetch(client: Client[Any], kind: str) -> list[Any]:
        from mcp.shared.exceptions import MCPError

        fetch = {
            "tools": client.list_tools,
            "resources": client.list_resources,
            "templates": client.list_resource_templates,
            "prompts": client.list_prompts,
        }[kind]
        try:
            return list(await fetch())
        except MCPError as exc:
            if getattr(getattr(exc, "error", None), "code", None) == -32601:  # the upstream has none
                return []
            raise

    def _replace(self, kind: str, items: list[Any]) -> None:
        make, table, proxied, add, remove = {
            "tools": (ProxyTool.from_mcp_tool, self._tools, ProxyTool, self.add_tool, self.remove_tool),
            "resources": (
                ProxyResource.from_mcp_resource,
                self._resources,
                ProxyResource,
                self.add_resource,
                self.remove_resource,
            ),
            "templates": (
                ProxyTemplate.from_mcp_template,
                self._templates,
                ProxyTemplate,
                self.add_resource,
                self.remove_template,
            ),
            "prompts": (ProxyPrompt.from_mcp_prompt, self._prompts, ProxyPrompt, self.add_prompt, self.remove_prompt),
        }[kind]
        fresh = {}
        for item in items:
            component = make(self, item)
            fresh[component.key] = component
        for key, old in list(table.items()):
            if isinstance(old, proxied) and key not in fresh:
                remove(key)
        for key, component in fresh.items():
            old = table.get(key)
            if old is not None and not isinstance(old, proxied):
                continue  # the proxy's own component of that name wins, as in FastMCP 4
            if old is not None and _wire_of(old) == _wire_of(component):
                continue
            with _replacing(self):
                add(component)
        self._reorder(
            {"tools": "tool", "resources": "resource", "templates": "template", "prompts": "prompt"}[kind], list(fresh)
        )

    # -- forwarding --------------------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _upstream(self) -> Any:
        """The upstream connection for the request being served, and its handle."""
        from ..._context import _current_handle

        handle = _current_handle()
        async with self._pool.serving(handle) as entry:
            entry.client._proxy_server = self  # type: ignore[attr-defined]
            yield entry, handle

    def _upstream_changed(self, kinds: tuple[str, ...]) -> None:
        """The upstream said a listing changed: fetched again, and if it did change, every client is told
        (each upstream connection hears it; one fetch serves them all)."""
        self._stale.update(kinds)
        if self._resyncing is None or self._resyncing.done():
            self._resyncing = _apart(self._resync())

    async def _resync(self) -> None:
        while self._stale:
            kinds, self._stale = tuple(self._stale), set()
            await self._sync(kinds, None)

    async def _call_tool(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        import mcp.types as mcp_types

        if self._upstream_native is not None:
            from ..._context import _current_handle

            params = {"name": name, "arguments": arguments}
            try:
                result = await self._upstream_native.request(_current_handle(), "tools/call", params, meta=True)
            except _Rejected as exc:
                raise _UpstreamError(str(exc)) from None
            return self._upstream_native.upstream.relayed_call(result)  # type: ignore[no-any-return]
        async with self._upstream() as (entry, handle):
            session = entry.client.session
            progress = None
            if handle is not None and handle.progress_token is not None:

                async def progress(value: float, total: float | None, message: str | None) -> None:
                    handle.progress(value, total, message)

            request = mcp_types.CallToolRequest(
                params=mcp_types.CallToolRequestParams(name=name, arguments=arguments, _meta=_forwarded_meta(handle))
            )
            try:
                # Sent as it is, and relayed as it comes: the upstream's output is not checked here (the
                # session's own call_tool would check it against a listing it fetches itself).
                result = await _apart(
                    session.send_request(request, session._call_tool_adapter, progress_callback=progress)
                )
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                raise _failure(exc) from None
        wire = _dump(result)
        out: dict[str, Any] = {}
        meta = _relayed_meta(wire.get("_meta"), self.identity)
        if meta is not None:
            out["_meta"] = meta
        out["content"] = wire.get("content", [])
        out["isError"] = bool(wire.get("isError", False))
        if "structuredContent" in wire:
            out["structuredContent"] = wire["structuredContent"]
        return out

    async def _read(self, backend_uri: str, uri: str) -> dict[str, Any]:
        from mcp.shared.exceptions import MCPError

        from ...exceptions import McpError, ResourceError

        if self._upstream_native is not None:
            from ..._context import _current_handle

            try:
                wire = await self._upstream_native.request(
                    _current_handle(), "resources/read", {"uri": backend_uri}, meta=True
                )
            except _Rejected as exc:
                raise McpError(str(exc), exc.code, exc.data) from None
            except RuntimeError as exc:
                raise McpError(f"Error reading resource {uri!r}: {exc}", -32603) from None
        else:
            async with self._upstream() as (entry, handle):
                try:
                    result = await _apart(entry.client.read_resource_mcp(backend_uri, meta=_forwarded_meta(handle)))
                except asyncio.CancelledError:
                    raise
                except MCPError as exc:
                    error = exc.error
                    raise McpError(error.message, error.code, error.data) from None
                except Exception as exc:
                    raise McpError(f"Error reading resource {uri!r}: {_failure(exc)}", -32603) from None
            wire = _dump(result)
        contents = []
        for item in wire.get("contents") or []:
            made = {**item, "uri": uri}
            if "text" in item:
                made.setdefault("mimeType", "text/plain")
            elif "blob" in item:
                made.setdefault("mimeType", "application/octet-stream")
            else:
                raise ResourceError(f"Unsupported content type: {type(item)}")
            contents.append(made)
        if not contents:
            raise ResourceError(f"Remote server returned empty content for {uri}")
        out: dict[str, Any] = {}
        meta = _relayed_meta(wire.get("_meta"), self.identity)
        if meta is not None:
            out["_meta"] = meta
        out["contents"] = contents
        return out

    async def _get_prompt(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        from mcp.shared.exceptions import MCPError

        from ...exceptions import McpError, PromptError

        if self._upstream_native is not None:
            from ..._context import _current_handle

            params: dict[str, Any] = {"name": name}
            if arguments:
                params["arguments"] = arguments
            try:
                wire = await self._upstream_native.request(_current_handle(), "prompts/get", params, meta=True)
            except _Rejected as exc:
                raise McpError(str(exc), exc.code, exc.data) from None
            except RuntimeError as exc:
                raise PromptError(f"Error rendering prompt {name!r}: {exc}") from None
        else:
            async with self._upstream() as (entry, handle):
                try:
                    meta = _forwarded_meta(handle)
                    result = await _apart(entry.client.get_prompt_mcp(name, arguments or None, meta=meta))
                except asyncio.CancelledError:
                    raise
                except MCPError as exc:
                    error = exc.error
                    raise McpError(error.message, error.code, error.data) from None
                except Exception as exc:
                    raise PromptError(f"Error rendering prompt {name!r}: {_failure(exc)}") from None
            wire = _dump(result)
        out: dict[str, Any] = {}
        meta = _relayed_meta(wire.get("_meta"), self.identity)
        if meta is not None:
            out["_meta"] = meta
        if wire.get("description") is not None:
            out["description"] = wire["description"]
        out["messages"] = wire.get("messages") or []
        return out


_KIND_OF = {"tools": "tool", "resources": "resource", "templates": "template", "prompts": "prompt"}


def _wire_of(component: Any) -> Any:
    for method in ("to_mcp_tool", "to_mcp_resource", "to_mcp_template", "to_mcp_prompt"):
        if hasattr(component, method):
            return getattr(component, method)()
    return None


@contextlib.contextmanager
def _replacing(proxy: FastMCPProxy) -> Any:
    """A proxied component replaced by the upstream's newer listing of it: no duplicate warning."""
    before, proxy._on_duplicate = proxy._on_duplicate, "replace"
    try:
        yield
    finally:
        proxy._on_duplicate = before


class ProxyProvider:
    """FastMCP 4's provider of an upstream's components (``mcp.add_provider(ProxyProvider(factory))``): here
    a proxy server, mounted where it is added."""

    def __init__(self, client_factory: ClientFactoryT, cache_ttl: float | None = None, **options: Any) -> None:
        self.client_factory = client_factory
        self.cache_ttl = cache_ttl
        self._server = FastMCPProxy(client_factory=client_factory, **options)

    def __repr__(self) -> str:
        return f"ProxyProvider({self._server.name!r})"

    def required_extensions(self) -> Sequence[Any]:
        return self._server.required_extensions()


# -- create_proxy --------------------------------------------------------------------------------------------


def _config_target(config: Any) -> Any:
    """What an MCPConfig (``{"mcpServers": {name: {...}}}``) stands for: one server's transport, or, for
    several, a server that mounts a proxy of each under its name (as FastMCP 4's ``MCPRouter``)."""
    from ...client import transports as t

    raw = config.model_dump() if hasattr(config, "model_dump") else dict(config)
    servers = raw.get("mcpServers") or {}
    if not servers:
        raise ValueError("No MCP servers defined in the config")

    def transport_of(spec: dict[str, Any]) -> Any:
        if spec.get("url"):
            headers = spec.get("headers") or None
            if spec.get("transport") == "sse" or str(spec["url"]).rstrip("/").endswith("/sse"):
                return t.SSETransport(spec["url"], headers=headers)
            return t.StreamableHttpTransport(spec["url"], headers=headers)
        if spec.get("command"):
            return t.StdioTransport(spec["command"], list(spec.get("args") or []), spec.get("env"), spec.get("cwd"))
        raise ValueError(f"Could not infer a valid transport from: {spec!r}")

    if len(servers) == 1:
        return transport_of(next(iter(servers.values())))
    router = _fastmcp_class()(name="MCPRouter")
    for name, spec in servers.items():
        router.mount(create_proxy(transport_of(spec), name=f"Proxy-{name}"), namespace=name)
    return router


def client_factory_for(target: Any, mode: str | None = None) -> ClientFactoryT:
    """How a proxy reaches ``target`` (see ``create_proxy``)."""
    if isinstance(target, Client):
        if target.is_connected() and type(target) is not ProxyClient:
            _log.info(
                "Proxy detected connected client - reusing existing session for all requests. This may cause "
                "context mixing in concurrent scenarios."
            )
            return lambda: target
        return target.new
    if isinstance(target, dict) or type(target).__name__ == "MCPConfig":
        target = _config_target(target)
    if isinstance(target, str) and target.endswith((".py", ".js")) and Path(target).is_file():
        import warnings

        warnings.warn(
            f"Inferring a stdio transport from the string {target!r} is deprecated and will be removed in FastMCP "
            f"5. Pass pathlib.Path({target!r}) or an explicit StdioTransport instead.",
            DeprecationWarning,
            stacklevel=3,
        )
        target = Path(target)
    template = ProxyClient(target, **({"mode": mode} if mode else {}))
    return template.new


def _over_stdio(factory: Any) -> bool:
    from ...client.transports import StdioTransport

    client = getattr(factory, "__self__", None)
    return isinstance(getattr(client, "transport", None), StdioTransport)


def create_proxy(target: Any, *, mode: str | None = None, **settings: Any) -> FastMCPProxy:
    """A proxy server for ``target``: a ``Client`` (a connected one is used as it is), a client transport, a
    server object (in memory), an ``http(s)://`` URL, a ``Path`` to a ``.py``/``.js`` server, or an MCPConfig
    dict. ``mode`` pins the upstream's protocol era (default: the handshake). ``settings`` go to
    ``FastMCPProxy`` (``name``, ``instructions``, ``provider_error_strategy``, ...)."""
    factory = client_factory_for(target, mode)
    proxy = FastMCPProxy(client_factory=factory, **settings)
    proxy._pool.shared = _over_stdio(factory)
    return proxy
