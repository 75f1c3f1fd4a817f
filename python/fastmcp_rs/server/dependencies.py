"""``fastmcp.server.dependencies``: find the current request from anywhere inside a call — its ``Context``,
HTTP headers and request, the server. ``CurrentContext()`` as a parameter default receives the ``Context``;
the other dependency-injection markers are not supported yet."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from .._context import CurrentContext, _current_handle, _HttpRequest, _serving, get_context
from .._dependencies import Provider
from .._unsupported import stub
from .auth.auth import AccessToken

if TYPE_CHECKING:
    from .server import FastMCP

__all__ = [
    "AccessToken",
    "CurrentAccessToken",
    "CurrentContext",
    "CurrentFastMCP",
    "CurrentHeaders",
    "CurrentRequest",
    "FastMCPRequestContext",
    "Progress",
    "TokenClaim",
    "bind_request_context",
    "extract_version_spec",
    "fastmcp_request_ctx",
    "get_access_token",
    "get_context",
    "get_http_headers",
    "get_http_request",
    "get_server",
    "get_session",
    "is_docket_available",
    "resolve_dependencies",
    "transform_context_annotations",
    "without_injected_parameters",
]

#: Left out of ``get_http_headers()`` unless asked for (as FastMCP leaves them out).
_EXCLUDED = frozenset(
    {
        "host",
        "content-length",
        "content-type",
        "connection",
        "transfer-encoding",
        "upgrade",
        "te",
        "keep-alive",
        "expect",
        "accept",
        "authorization",
        "cookie",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "mcp-session-id",
    }
)


def get_http_headers(include_all: bool = False, include: set[str] | None = None) -> dict[str, str]:
    """The current HTTP request's headers (names in lower case), without the hop-by-hop and credential ones
    unless ``include_all`` or ``include`` asks for them. ``{}`` outside HTTP."""
    handle = _current_handle()
    headers = handle.headers if handle is not None else None
    if not headers:
        return {}
    if include_all:
        return dict(headers)
    keep = {h.lower() for h in include or ()}
    return {k: v for k, v in headers.items() if k not in _EXCLUDED or k in keep}


def get_http_request() -> Any:
    """The current HTTP request (its ``headers``); raises outside HTTP."""
    handle = _current_handle()
    headers = handle.headers if handle is not None else None
    if headers is None:
        raise RuntimeError("No active HTTP request found.")
    return _HttpRequest(headers)


def get_server() -> FastMCP:
    """The server that is serving."""
    if not _serving:
        raise RuntimeError("No FastMCP server instance in context")
    return _serving[-1]


async def get_session(session_id: str) -> Any:
    """The application session ``create_session()`` minted as ``session_id`` for the caller
    (``fastmcp_rs.server.sessions``); any other id raises ``InvalidSession``."""
    from .sessions import get_session as resolve

    return await resolve(session_id)


def get_access_token() -> Any:
    """The caller's verified bearer token (an ``AccessToken``), or ``None``: no auth provider, stdio, or
    outside a request."""
    handle = _current_handle()
    token = handle.access_token if handle is not None else None
    if token is None:
        return None
    return AccessToken(**token)


def is_docket_available() -> bool:
    """Background tasks (docket) are not available in fastmcp-rs."""
    return False


# -- dependency markers: parameter defaults the server fills in (fastmcp_rs._dependencies resolves them) --


class _CurrentFastMCP(Provider["FastMCP"]):
    async def __aenter__(self) -> FastMCP:
        return get_server()


def CurrentFastMCP() -> Any:
    """``server: FastMCP = CurrentFastMCP()``: the parameter receives the server that is serving."""
    return _CurrentFastMCP()


class _CurrentRequest(Provider[Any]):
    async def __aenter__(self) -> Any:
        return get_http_request()


def CurrentRequest() -> Any:
    """``request = CurrentRequest()``: the parameter receives the HTTP request (its ``headers``); resolving it
    outside HTTP fails the call."""
    return _CurrentRequest()


class _CurrentHeaders(Provider[dict[str, str]]):
    async def __aenter__(self) -> dict[str, str]:
        # The handler reads its own request: the credential headers are kept (as FastMCP 4 keeps them).
        return get_http_headers(include={"authorization", "cookie"})


def CurrentHeaders() -> Any:
    """``headers: dict = CurrentHeaders()``: the HTTP request's headers, ``authorization`` and ``cookie``
    included; ``{}`` outside HTTP."""
    return _CurrentHeaders()


class _CurrentAccessToken(Provider[Any]):
    async def __aenter__(self) -> Any:
        token = get_access_token()
        if token is None:
            raise RuntimeError(
                "No access token found. Ensure authentication is configured and the request is authenticated."
            )
        return token


def CurrentAccessToken() -> Any:
    """``token: AccessToken = CurrentAccessToken()``: the caller's verified token; a call without one fails
    (``get_access_token()`` is the optional form)."""
    return _CurrentAccessToken()


class _TokenClaim(Provider[str]):
    def __init__(self, claim_name: str) -> None:
        self.claim_name = claim_name

    async def __aenter__(self) -> str:
        token = get_access_token()
        if token is None:
            raise RuntimeError(f"No access token available. Cannot extract claim '{self.claim_name}'.")
        value = token.claims.get(self.claim_name)
        if value is None:
            raise RuntimeError(
                f"Claim '{self.claim_name}' not found in access token. Available claims: {list(token.claims.keys())}"
            )
        return str(value)


def TokenClaim(name: str) -> Any:
    """``user_id: str = TokenClaim("sub")``: one claim of the caller's token, as a string."""
    return _TokenClaim(name)


class _OptionalCurrentContext(Provider[Any]):
    async def __aenter__(self) -> Any:
        try:
            return get_context()
        except RuntimeError:
            return None


def OptionalCurrentContext() -> Any:
    """The current ``Context``, or ``None`` outside a request."""
    return _OptionalCurrentContext()


@runtime_checkable
class ProgressLike(Protocol):
    """What ``Progress`` offers a function: the current value, the total, the message, and ways to set them."""

    @property
    def current(self) -> int | None: ...

    @property
    def total(self) -> int: ...

    @property
    def message(self) -> str | None: ...

    async def set_total(self, total: int) -> None: ...

    async def increment(self, amount: int = 1) -> None: ...

    async def set_message(self, message: str | None) -> None: ...


class InMemoryProgress:
    """Progress kept in memory for one call."""

    def __init__(self) -> None:
        self._current: int | None = None
        self._total = 1
        self._message: str | None = None

    async def __aenter__(self) -> InMemoryProgress:
        return self

    async def __aexit__(self, *_exc: Any) -> None:
        return None

    @property
    def current(self) -> int | None:
        return self._current

    @property
    def total(self) -> int:
        return self._total

    @property
    def message(self) -> str | None:
        return self._message

    async def set_total(self, total: int) -> None:
        if total < 1:
            raise ValueError("Total must be at least 1")
        self._total = total

    async def increment(self, amount: int = 1) -> None:
        if amount < 1:
            raise ValueError("Amount must be at least 1")
        self._current = amount if self._current is None else self._current + amount

    async def set_message(self, message: str | None) -> None:
        self._message = message


class Progress(Provider["Progress"]):
    """``progress: Progress = Progress()``: a progress tracker for the call (``set_total``, ``increment``,
    ``set_message``). FastMCP 4 keeps it in memory outside its background workers; fastmcp-rs also sends each
    ``increment`` (with the total and the message set so far) as ``notifications/progress`` when the client
    asked for progress (sent a progress token). Only an increment is sent, since each notification's
    progress must be greater than the last."""

    _impl: InMemoryProgress | None = None
    _handle: Any = None

    async def __aenter__(self) -> Progress:
        if not _serving:
            raise RuntimeError("Progress dependency requires a FastMCP server context.")
        instance = Progress()
        instance._impl = InMemoryProgress()
        instance._handle = _current_handle()
        return instance

    def _tracker(self) -> InMemoryProgress:
        assert self._impl is not None, "Progress must be used as a dependency"
        return self._impl

    @property
    def current(self) -> int | None:
        return self._tracker().current

    @property
    def total(self) -> int:
        return self._tracker().total

    @property
    def message(self) -> str | None:
        return self._tracker().message

    async def set_total(self, total: int) -> None:
        await self._tracker().set_total(total)

    async def increment(self, amount: int = 1) -> None:
        tracker = self._tracker()
        await tracker.increment(amount)
        if self._handle is not None:
            self._handle.progress(float(tracker.current or 0), float(tracker.total), tracker.message)

    async def set_message(self, message: str | None) -> None:
        await self._tracker().set_message(message)


@contextlib.asynccontextmanager
async def resolve_dependencies(fn: Callable[..., Any], arguments: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
    """``fn``'s arguments with its dependencies resolved (and torn down when the block ends); a value in
    ``arguments`` for an injected parameter is dropped, never used."""
    from .._dependencies import resolved_arguments

    async with resolved_arguments(fn, arguments) as resolved:
        yield resolved


def without_injected_parameters(fn: Callable[..., Any], *, run_in_thread: bool = True) -> Callable[..., Any]:
    """``fn`` without the parameters the server fills in (``Context``, dependencies): an ``async`` function
    that resolves them and calls ``fn``; ``fn`` itself when there are none."""
    from .._components import find_context_param, resolved_hints
    from .._dependencies import with_dependencies

    hints = resolved_hints(fn)
    context_param = find_context_param(fn, hints)
    return with_dependencies(fn, context_param, hints=hints, run_in_thread=run_in_thread, hide_context=True)


def extract_version_spec(meta: dict[str, Any] | None) -> str | None:
    """The component version a request's ``_meta`` asks for (``_meta.fastmcp.version``)."""
    if not meta:
        return None
    fastmcp_meta = meta.get("fastmcp")
    if isinstance(fastmcp_meta, Mapping):
        version = fastmcp_meta.get("version")
        if isinstance(version, str):
            return version
    return None


FastMCPRequestContext = stub("FastMCPRequestContext", "binding a request context by hand", __name__)
bind_request_context = stub("bind_request_context", "binding a request context by hand", __name__)
fastmcp_request_ctx = stub("fastmcp_request_ctx", "binding a request context by hand", __name__)
transform_context_annotations = stub(
    "transform_context_annotations", "rewriting Context annotations into dependencies", __name__
)
