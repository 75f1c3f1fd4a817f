"""``fastmcp.server.extensions``: server extensions (SEP-2133) as FastMCP 4 has them.

An extension is named by a reverse-DNS identifier (``vendor-prefix/name``) and may contribute, through
``FastMCP.add_extension(ext)``:

- a capability: ``settings()`` is advertised by ``server/discover`` under ``capabilities.extensions[identifier]``
  (as in FastMCP 4, the handshake era's ``initialize`` does not carry ``extensions``);
- request methods of its own: each ``MethodBinding`` of ``methods()`` is served in both eras, its params validated
  against ``params_type`` (``-32602`` when they do not fit), ``protocol_versions`` limiting the versions it answers
  at (``-32601`` at any other), with ``get_context()`` working in the handler. The core routes those methods to
  Python and keeps every other request on its native path;
- a ``tools/call`` interceptor (``intercept_tool_call``): the last step before the tool runs, after the
  middleware, first-registered outermost; only a server with one sends its tool calls through Python;
- a lifespan, entered inside the server's own and left before it.

A client opts in per request, in ``_meta["io.modelcontextprotocol/clientCapabilities"]["extensions"]``: read it
with ``self.client_settings(ctx)`` in a handler, ``context.client_extension_settings(identifier)`` in an
interceptor.

One difference, on purpose: a handler that raises something other than an ``McpError`` is answered with
``-32603`` (FastMCP 4 answers code ``0`` in the handshake era), its message the exception's text in the handshake
era (``Internal server error`` in the modern one, or with ``mask_error_details``).
"""

from __future__ import annotations

import copy
import re
import weakref
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from fastmcp_rs.server.context import Context
    from fastmcp_rs.server.server import FastMCP

__all__ = ["MethodBinding", "ServerExtension", "read_client_extension_settings"]

#: Where a request's ``_meta`` carries the client's capabilities (the modern era's envelope; SEP-2133).
CLIENT_CAPABILITIES_META_KEY = "io.modelcontextprotocol/clientCapabilities"

# The `_meta` key grammar with its prefix required: dot-separated labels (a letter first, a letter or digit
# last, hyphens inside), `/`, then a name (alphanumeric at both ends; `.`, `_`, `-` inside).
_LABEL = r"[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_IDENTIFIER = re.compile(rf"{_LABEL}(?:\.{_LABEL})*/{_NAME}")

#: The request methods the specification defines (any version): an extension's methods are additive.
SPEC_CLIENT_METHODS = frozenset(
    {
        "completion/complete",
        "initialize",
        "logging/setLevel",
        "ping",
        "prompts/get",
        "prompts/list",
        "resources/list",
        "resources/read",
        "resources/subscribe",
        "resources/templates/list",
        "resources/unsubscribe",
        "server/discover",
        "subscriptions/listen",
        "tools/call",
        "tools/list",
    }
)


def validate_extension_identifier(identifier: Any, *, owner: str) -> None:
    """``TypeError`` unless ``identifier`` is a ``vendor-prefix/name`` string."""
    if not isinstance(identifier, str) or not _IDENTIFIER.fullmatch(identifier):
        raise TypeError(
            f"{owner}.identifier must be a `vendor-prefix/name` string (reverse-DNS prefix required), "
            f"got {identifier!r}"
        )


#: A method handler: ``await handler(ctx, params)`` with the request context and the validated params; it
#: returns a pydantic model, a dict, or ``None`` (an empty result).
ExtensionRequestHandler = Callable[[Any, Any], Awaitable[Any]]
ToolCallContinuation = Callable[[], Awaitable[Any]]


@dataclass(frozen=True)
class MethodBinding:
    """A request method an extension serves: ``method`` on the wire, ``params_type`` (a pydantic model,
    ideally ``mcp.types.RequestParams``' subclass) its params are validated against, the ``handler``, and the
    ``protocol_versions`` it answers at (``None``: all)."""

    method: str
    params_type: type[Any]
    handler: ExtensionRequestHandler
    protocol_versions: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if self.method in SPEC_CLIENT_METHODS:
            raise ValueError(
                f"MethodBinding cannot bind spec method {self.method!r}; extension methods are additive. Use "
                "ServerExtension.intercept_tool_call or FastMCP middleware to wrap core behaviour."
            )
        if self.protocol_versions is not None and not self.protocol_versions:
            raise ValueError(
                f"MethodBinding for {self.method!r} has an empty protocol_versions set, so it could never be "
                "served; use None to admit every version."
            )


class ServerExtension:
    """An extension of a server: subclass it, set ``identifier``, and override what it contributes
    (``settings``, ``methods``, ``intercept_tool_call``, ``lifespan``); each has a default that contributes
    nothing. A class-level ``identifier`` is checked when the class is defined, any identifier when it is
    registered."""

    #: The reverse-DNS identifier, advertised under ``capabilities.extensions``.
    identifier: str

    #: Whether providers and mounted servers may register a copy of it on the server they join.
    auto_register: ClassVar[bool] = False

    _server_ref: weakref.ref[Any] | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        identifier = cls.__dict__.get("identifier")
        if identifier is not None:
            validate_extension_identifier(identifier, owner=cls.__name__)

    def clone(self) -> ServerExtension:
        """An unbound copy with the same configuration (a deep copy, by default)."""
        extension = copy.deepcopy(self)
        extension._server_ref = None
        return extension

    def _bind(self, server: FastMCP) -> None:
        validate_extension_identifier(getattr(self, "identifier", None), owner=type(self).__name__)
        self._server_ref = weakref.ref(server)

    @property
    def server(self) -> FastMCP:
        """The server it is registered on."""
        server = self._server_ref() if self._server_ref is not None else None
        if server is None:
            raise RuntimeError(
                f"Extension {getattr(self, 'identifier', type(self).__name__)!r} is not bound to a FastMCP "
                "server; register it with FastMCP.add_extension() before use."
            )
        return server

    def settings(self) -> dict[str, Any]:
        """What ``capabilities.extensions[identifier]`` says (JSON); empty by default."""
        return {}

    def methods(self) -> Sequence[MethodBinding]:
        """The request methods it adds."""
        return ()

    def lifespan(self) -> AbstractAsyncContextManager[Any]:
        """Entered with the server's lifespan (inside it), left on shutdown."""
        return nullcontext()

    async def intercept_tool_call(self, params: Any, context: Context, call_next: ToolCallContinuation) -> Any:
        """Wraps every ``tools/call``, after the middleware and before the tool: ``params`` are the call's
        (``mcp.types.CallToolRequestParams``), ``context`` the ``Context``; return ``await call_next()`` (a
        ``ToolResult``) or a result of your own."""
        return await call_next()

    def client_settings(self, ctx: Any) -> dict[str, Any] | None:
        """The settings the client declared for this extension in this request (``None``: not opted in)."""
        return read_client_extension_settings(ctx, self.identifier)

    def _requires_live_resource(self, uri: str) -> bool:
        return False


def _settings_in(meta: Any, identifier: str) -> dict[str, Any] | None:
    if not isinstance(meta, Mapping):
        return None
    capabilities = meta.get(CLIENT_CAPABILITIES_META_KEY)
    extensions = capabilities.get("extensions") if isinstance(capabilities, Mapping) else None
    settings = extensions.get(identifier) if isinstance(extensions, Mapping) else None
    return dict(settings) if isinstance(settings, Mapping) else None


def read_client_extension_settings(ctx: Any, identifier: str) -> dict[str, Any] | None:
    """The settings a request's ``_meta`` declares for the extension ``identifier`` (``None``: none)."""
    params = getattr(ctx, "params", None)
    meta = params.get("_meta") if isinstance(params, Mapping) else None
    return _settings_in(meta, identifier)


class ExtensionRequestContext:
    """What an extension's method handler gets as ``ctx``: the SDK's ``ServerRequestContext`` attributes
    (``request_id``, ``method``, ``params`` (the raw params), ``meta``, ``protocol_version``, ``session``,
    ``lifespan_context``, ``request``)."""

    __slots__ = ("_handle", "fastmcp_context", "lifespan_context", "meta", "method", "params", "protocol_version")

    def __init__(self, handle: Any, method: str, params: dict[str, Any], context: Any, lifespan: Any) -> None:
        self._handle = handle
        self.method = method
        self.params = params
        meta = params.get("_meta")
        self.meta = dict(meta) if isinstance(meta, Mapping) else None
        self.protocol_version = handle.protocol_version
        self.fastmcp_context = context
        self.lifespan_context = lifespan

    @property
    def request_id(self) -> Any:
        return self._handle.request_id

    @property
    def session(self) -> Any:
        return self.fastmcp_context.session

    @property
    def request(self) -> Any:
        try:
            return self.fastmcp_context.request_context.request
        except Exception:
            return None

    def __repr__(self) -> str:
        return f"ExtensionRequestContext(method={self.method!r}, request_id={self.request_id!r})"
