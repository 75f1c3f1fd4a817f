"""``fastmcp.server.sessions``: application sessions, state a tool keeps across calls on connections that
keep none (the 2026-07-28 era is stateless), as FastMCP 4.2 has them.

- ``session: UserSession``: injected like ``ctx: Context`` and left out of the schema, one bucket per
  authenticated principal (``(client_id, issuer, subject)`` of the caller's token). Without a principal the
  call fails with ``SessionAuthError``; ``session: UserSession | None = None`` receives ``None`` instead.
- ``session_id: SessionId``: an argument the agent passes (its schema says how to get one), resolved with
  ``await get_session(session_id)``. Only an id ``create_session()`` minted under the same principal resolves;
  any other raises ``InvalidSession``, whose message never says which.
- ``SessionProvider()``: the ``create_session`` and ``end_session`` tools.

A session is ``get``/``set``/``delete``/``clear`` (and ``end``) over one dict, stored under one key derived
from the principal (hashed) and the id, in the server's ``session_state_store`` (an ``AsyncKeyValue`` store,
as FastMCP 4 keeps them there) or, without one, in memory: at most ``FastMCP(max_app_sessions=...)``
sessions (100,000 by default; the least recently used goes first). Isolation is the principal: without auth
a session id is a bearer capability, unguessable (uuid4)."""

from __future__ import annotations

import collections
import functools
import hashlib
import inspect
import json
import logging
import time
import typing
import uuid
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Final, get_args, get_origin

from .._dependencies import Provider as _DependencyProvider
from ..exceptions import FastMCPError
from .dependencies import get_access_token, get_server
from .providers.base import Provider

__all__ = [
    "CurrentSession",
    "InvalidSession",
    "OptionalCurrentSession",
    "Session",
    "SessionAuthError",
    "SessionId",
    "SessionProvider",
    "UserSession",
    "create_session",
    "current_principal",
    "end_session",
    "session_id_parameter_names",
    "session_storage_key",
]

_log = logging.getLogger("fastmcp.server.sessions")

#: Given to every ``SessionId`` parameter's schema (added to the author's own description).
SESSION_ID_DESCRIPTION: Final[str] = (
    "Session identifier. Use a tool to create a session, then pass the resulting id here to persist state "
    "across calls in the same session."
)
_MARKER_KEY: Final[str] = "_created"
_STATE_KEY: Final[str] = "state"
_USER_SESSION_ID: Final[str] = "_user"
DEFAULT_APP_SESSION_LIMIT: Final[int] = 100_000


class SessionAuthError(FastMCPError):
    """An injected ``session: UserSession`` on a request with no authenticated principal."""

    def __init__(
        self,
        message: str = (
            "Injected `session: UserSession` requires an authenticated principal, but this request is "
            "unauthenticated. Use a `session_id: SessionId` argument for cross-call state on unauthenticated "
            "connections."
        ),
    ) -> None:
        super().__init__(message)


class InvalidSession(FastMCPError):
    """A session id that was never created, or was created under another principal (not said which)."""

    def __init__(self, message: str = "Invalid or unknown session.") -> None:
        super().__init__(message)


def current_principal() -> str | None:
    """The caller's principal, ``[client_id, issuer, subject]`` as compact JSON; ``None`` unauthenticated."""
    token = get_access_token()
    if token is None:
        return None
    issuer = (token.claims or {}).get("iss")
    components = (token.client_id, str(issuer) if issuer is not None else None, token.subject)
    return json.dumps(components, separators=(",", ":"))


def _principal_segment(principal: str | None) -> str:
    if principal is None:
        return "anon"
    return hashlib.sha256(principal.encode("utf-8", "surrogatepass")).hexdigest()


def session_storage_key(principal: str | None, session_id: str) -> str:
    """The one key a session's state is stored under."""
    return f"session:{_principal_segment(principal)}:{session_id}"


class _MemoryStore:
    """Sessions in memory, at most ``limit`` of them (the least recently used is dropped first)."""

    def __init__(self, limit: int) -> None:
        self.limit = max(1, int(limit))
        self._data: collections.OrderedDict[str, dict[str, Any]] = collections.OrderedDict()

    async def get(self, key: str) -> dict[str, Any] | None:
        value = self._data.get(key)
        if value is not None:
            self._data.move_to_end(key)
        return None if value is None else json.loads(json.dumps(value))

    async def put(self, key: str, value: dict[str, Any]) -> None:
        self._data[key] = json.loads(json.dumps(value))  # stored as JSON would be: no shared references
        self._data.move_to_end(key)
        while len(self._data) > self.limit:
            self._data.popitem(last=False)

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)


class _KeyValueStore:
    """Sessions in the server's ``session_state_store`` (an ``AsyncKeyValue``), stored as FastMCP 4 stores
    them (``{"value": state}`` in the ``fastmcp_state`` collection, no TTL)."""

    def __init__(self, store: Any) -> None:
        self._kv = store

    async def get(self, key: str) -> dict[str, Any] | None:
        found = await self._kv.get(key=key, collection="fastmcp_state")
        value = found.get("value") if isinstance(found, dict) else None
        return value if isinstance(value, dict) else None

    async def put(self, key: str, value: dict[str, Any]) -> None:
        await self._kv.put(key=key, value={"value": value}, collection="fastmcp_state")

    async def delete(self, key: str) -> None:
        await self._kv.delete(key=key, collection="fastmcp_state")


def _store() -> Any:
    server = get_server()
    store = getattr(server, "_app_sessions", None)
    if store is None:
        storage = getattr(server, "_state_storage", None)
        if storage is not None:
            store = _KeyValueStore(storage)
        else:
            store = _MemoryStore(getattr(server, "app_session_limit", DEFAULT_APP_SESSION_LIMIT))
        server._app_sessions = store
    return store


class Session:
    """State kept for one ``(principal, session_id)``: ``await get(key, default)``, ``set(key, value)``
    (JSON values), ``delete(key)``, ``clear()`` (the session stays valid) and ``end()`` (it is gone)."""

    def __init__(self, *, store: Any, principal: str | None, session_id: str, public_id: str | None = None) -> None:
        self._store = store
        self._principal = principal
        self._session_id = session_id
        self._public_id = public_id
        self._key = session_storage_key(principal, session_id)

    @property
    def id(self) -> str | None:
        """The session's id; ``None`` for an injected ``UserSession`` (its bucket is the user)."""
        return self._public_id

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self._public_id!r})"

    async def _load(self) -> dict[str, Any] | None:
        raw = await self._store.get(self._key)
        return dict(raw) if isinstance(raw, dict) else None

    @staticmethod
    def _state_of(raw: dict[str, Any] | None) -> dict[str, Any]:
        state = (raw or {}).get(_STATE_KEY)
        return dict(state) if isinstance(state, dict) else {}

    async def _exists(self) -> bool:
        raw = await self._load()
        return raw is not None and _MARKER_KEY in raw

    async def _create(self) -> None:
        raw = await self._load() or {}
        raw[_MARKER_KEY] = time.time()
        raw.setdefault(_STATE_KEY, {})
        await self._store.put(self._key, raw)

    async def get(self, key: str, default: Any = None) -> Any:
        return self._state_of(await self._load()).get(key, default)

    async def set(self, key: str, value: Any) -> None:
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            raise TypeError(f"Value for session key {key!r} is not JSON serializable") from None
        raw = await self._load() or {}
        state = self._state_of(raw)
        state[key] = value
        raw[_STATE_KEY] = state
        await self._store.put(self._key, raw)

    async def delete(self, key: str) -> None:
        raw = await self._load()
        if raw is None:
            return
        state = self._state_of(raw)
        if key in state:
            del state[key]
            raw[_STATE_KEY] = state
            await self._store.put(self._key, raw)

    async def clear(self) -> None:
        raw = await self._load()
        if raw is None:
            return
        raw[_STATE_KEY] = {}
        await self._store.put(self._key, raw)

    async def end(self) -> None:
        await self._store.delete(self._key)


class UserSession(Session):
    """``session: UserSession``: the caller's own session, injected (needs auth)."""


class _SessionIdMarker:
    """Marks a ``SessionId`` parameter."""

    def __repr__(self) -> str:
        return "SessionId"


#: ``session_id: SessionId``: a string argument the agent passes; its schema says how to get one.
SessionId = Annotated[str, _SessionIdMarker()]


@functools.lru_cache(maxsize=5000)
def session_id_parameter_names(fn: Callable[..., object]) -> tuple[str, ...]:
    """The names of ``fn``'s ``SessionId`` parameters."""
    target: Any = fn
    while isinstance(target, functools.partial):
        target = target.func
    try:
        hints = typing.get_type_hints(target, include_extras=True)
    except Exception:
        return ()
    try:
        open_parameters: set[str] | None = set(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        open_parameters = None
    return tuple(
        name
        for name, hint in hints.items()
        if name != "return"
        and (open_parameters is None or name in open_parameters)
        and get_origin(hint) is Annotated
        and any(isinstance(meta, _SessionIdMarker) for meta in get_args(hint)[1:])
    )


def describe_session_ids(fn: Callable[..., object], schema: dict[str, Any]) -> None:
    """Adds the create-then-pass description to ``fn``'s ``SessionId`` properties in its input schema."""
    properties = schema.get("properties", {})
    for name in session_id_parameter_names(fn):
        prop = properties.get(name)
        if prop is None:
            continue
        existing = prop.get("description")
        if not existing:
            prop["description"] = SESSION_ID_DESCRIPTION
        elif SESSION_ID_DESCRIPTION not in existing:
            prop["description"] = f"{existing}\n\n{SESSION_ID_DESCRIPTION}"


def _user_session() -> UserSession | None:
    principal = current_principal()
    if principal is None:
        return None
    return UserSession(store=_store(), principal=principal, session_id=_USER_SESSION_ID)


class _CurrentSession(_DependencyProvider["Session"]):
    async def __aenter__(self) -> Session:
        session = _user_session()
        if session is None:
            raise SessionAuthError
        return session


class _OptionalCurrentSession(_DependencyProvider["Session | None"]):
    async def __aenter__(self) -> Session | None:
        return _user_session()


def CurrentSession() -> Any:
    """The caller's own ``Session`` as a parameter default (what ``session: UserSession`` means)."""
    return _CurrentSession()


def OptionalCurrentSession() -> Any:
    """The caller's own ``Session``, or ``None`` unauthenticated (``session: UserSession | None = None``)."""
    return _OptionalCurrentSession()


def user_session_parameters(call: Callable[..., Any], hints: dict[str, Any]) -> dict[str, Any]:
    """``call``'s ``UserSession`` parameters (not those with a dependency default), each with the dependency
    that fills it in: optional when the parameter defaults to ``None``."""
    found: dict[str, Any] = {}
    for name, param in inspect.signature(call).parameters.items():
        if isinstance(param.default, _DependencyProvider):
            continue
        if _is_user_session(hints.get(name, param.annotation)):
            found[name] = _OptionalCurrentSession() if param.default is None else _CurrentSession()
    return found


def _is_user_session(annotation: Any) -> bool:
    if inspect.isclass(annotation):
        return issubclass(annotation, UserSession)
    origin = get_origin(annotation)
    if origin is Annotated:
        return _is_user_session(get_args(annotation)[0])
    if origin is not None and origin is not type and get_args(annotation):
        import types

        if origin in (typing.Union, types.UnionType):
            return any(_is_user_session(a) for a in get_args(annotation) if a is not type(None))
    return False


async def get_session(session_id: str) -> Session:
    """The session ``create_session()`` minted as ``session_id`` under the caller's principal; any other id
    raises ``InvalidSession``."""
    session = Session(store=_store(), principal=current_principal(), session_id=session_id, public_id=session_id)
    if not await session._exists():
        _log.debug("Rejected session id %r: no record for the current principal.", session_id)
        raise InvalidSession
    return session


async def create_session() -> str:
    """Create a new session and return its identifier.

    Mints an unguessable `uuid4`, records an initial session owned by the current
    principal, and returns the id as a string. Store it and pass it back as a
    `session_id` argument on later calls to persist state across a session — only
    an id created this way resolves. State is keyed by the authenticated
    principal, so the id organizes sessions within a user; on an unauthenticated
    connection the id is the only thing standing between callers, which is why it
    is unguessable.
    """
    session_id = str(uuid.uuid4())
    session = Session(store=_store(), principal=current_principal(), session_id=session_id, public_id=session_id)
    await session._create()
    return session_id


async def end_session(session_id: SessionId) -> str:
    """End a session and delete all of its state.

    Validates the id like any other resolution (an unknown or foreign id is
    rejected), then deletes the session's key so the id no longer resolves.
    """
    session = await get_session(session_id)
    await session.end()
    return "session ended"


class SessionProvider(Provider):
    """The session lifecycle tools, ``create_session()`` and ``end_session(session_id)``: register it
    (``mcp.add_provider(SessionProvider())``) where tools take a ``session_id: SessionId``."""

    def __init__(self) -> None:
        super().__init__()
        self._session_tools: list[Any] | None = None

    async def _list_tools(self) -> Sequence[Any]:
        if self._session_tools is None:
            from ..tools.function_tool import FunctionTool

            self._session_tools = [FunctionTool.from_function(create_session), FunctionTool.from_function(end_session)]
        return self._session_tools
