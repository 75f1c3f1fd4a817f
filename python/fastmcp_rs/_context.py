"""``Context``: what a tool, resource or prompt can do besides returning a value: log, report progress, read
resources, ask the client (elicitation, sampling, roots), keep per-session state, see the lifespan's result and
the HTTP request's headers. ``get_context()`` finds the current one from anywhere inside a call.

This module sits below both the components and the server (it imports neither at load time), so tools,
resources and prompts can inject a ``Context`` and the server can build one. ``fastmcp_rs.server.context``
re-exports it at FastMCP's path."""

from __future__ import annotations

import json
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Generic

from typing_extensions import TypeVar

from . import _core
from ._dependencies import Provider

if TYPE_CHECKING:
    from ._core import RequestHandle
    from .resources import ResourceResult
    from .server import FastMCP

__all__ = ["Context", "CurrentContext", "get_context"]

#: The request an async call is serving (set by the core in the call's own context); sync calls are found
#: through the core's per-thread record instead.
current_request: ContextVar[RequestHandle] = ContextVar("fastmcp_rs_current_request")

#: The collection ``FastMCP(session_state_store=...)`` keeps state in (FastMCP 4's).
_STATE_COLLECTION = "fastmcp_state"

#: The server that is serving (for ``get_context()``); set when a server starts.
_serving: list[FastMCP] = []

SessionT = TypeVar("SessionT", default=Any)
LifespanContextT = TypeVar("LifespanContextT", default=Any)
RequestT = TypeVar("RequestT", default=Any)


def _current_handle() -> RequestHandle | None:
    handle = current_request.get(None)
    return handle if handle is not None else _core.current_request()


def get_context() -> Context:
    """The ``Context`` of the request being served, from anywhere inside a tool, resource or prompt call."""
    handle = _current_handle()
    if handle is None:
        raise RuntimeError("No active context found.")
    return Context(handle, _serving[-1] if _serving else None)


class _CurrentContext(Provider["Context"]):
    """The default ``CurrentContext()`` gives a parameter: it receives the request's ``Context``. On a tool's
    own parameter the core fills it in; in a ``Depends(...)`` function's signature it resolves like any
    dependency."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "CurrentContext()"

    async def __aenter__(self) -> Context:
        return get_context()


def CurrentContext() -> Any:
    """``def tool(x: int, ctx: Context = CurrentContext())``: the parameter receives the ``Context``."""
    return _CurrentContext()


class _HttpRequest:
    """The HTTP request a call belongs to, as far as server code needs it: its headers."""

    __slots__ = ("headers",)

    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = headers

    def __repr__(self) -> str:
        return f"HttpRequest(headers={self.headers!r})"


class _RequestContext:
    """``ctx.request_context``: the SDK's view of the request (``lifespan_context``, ``meta``, ``request``)."""

    __slots__ = ("_ctx",)

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    @property
    def request_id(self) -> str:
        return self._ctx.request_id

    @property
    def meta(self) -> dict[str, Any] | None:
        return self._ctx._handle.meta

    @property
    def lifespan_context(self) -> Any:
        return self._ctx.lifespan_context

    @property
    def session(self) -> _Session:
        return self._ctx.session

    @property
    def request(self) -> Any:
        headers = self._ctx._handle.headers
        return None if headers is None else _HttpRequest(headers)

    @property
    def close_sse_stream(self) -> Any:
        """The SDK's callback that ends this request's SSE response early (``ctx.close_sse_stream``)."""
        return self._ctx.close_sse_stream

    def get(self, key: str, default: Any = None) -> Any:
        """A key of the request's ``_meta`` (``client_id``...), or ``default``."""
        return (self.meta or {}).get(key, default)


class _Session:
    """``ctx.session``: the SDK ``ServerSession`` calls that server code uses. Results are the SDK's types
    (``mcp.types``) when the ``mcp`` package is installed, look-alike models otherwise."""

    __slots__ = ("_ctx",)

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    async def create_message(self, messages: Any, *, max_tokens: int, **options: Any) -> Any:
        """``sampling/createMessage``; returns a ``CreateMessageResult``."""
        from ._sdk_types import sdk_type

        options.pop("related_request_id", None)
        result = await self._ctx._sample_raw(messages, max_tokens=max_tokens, **options)
        return sdk_type("CreateMessageResult").model_validate(result)

    async def elicit(
        self,
        message: str,
        requestedSchema: dict[str, Any] | None = None,
        related_request_id: Any = None,
        *,
        requested_schema: dict[str, Any] | None = None,
    ) -> Any:
        """``elicitation/create`` in form mode with a raw schema; returns an ``ElicitResult``."""
        from ._sdk_types import sdk_type

        schema = requested_schema if requested_schema is not None else requestedSchema
        if schema is None:
            raise TypeError("elicit() needs requested_schema")
        if hasattr(schema, "model_dump"):
            schema = schema.model_dump(mode="json", by_alias=True, exclude_none=True)
        params = {"mode": "form", "message": message, "requestedSchema": schema}
        answer = await self._ctx._request("elicitation/create", params, "elicitation")
        return sdk_type("ElicitResult").model_validate(answer)

    elicit_form = elicit

    async def elicit_url(self, message: str, url: str, elicitation_id: str, related_request_id: Any = None) -> Any:
        """``elicitation/create`` in URL mode; returns an ``ElicitResult``."""
        from ._sdk_types import sdk_type

        answer = await self._ctx._elicit_url_raw(message, url, elicitation_id)
        return sdk_type("ElicitResult").model_validate(answer)

    async def list_roots(self) -> Any:
        from ._sdk_types import sdk_type

        answer = await self._ctx._request("roots/list", {}, "roots")
        return sdk_type("ListRootsResult").model_validate(answer)

    async def send_log_message(
        self, level: str, data: Any, logger: str | None = None, related_request_id: Any = None
    ) -> None:
        self._ctx._handle.log(str(level), data, logger)

    async def send_progress_notification(
        self,
        progress_token: Any,
        progress: float,
        total: float | None = None,
        message: str | None = None,
        related_request_id: Any = None,
    ) -> None:
        # Only the calling request's own token can be reported on its stream.
        if progress_token == self._ctx._handle.progress_token:
            await self._ctx.report_progress(progress, total, message)

    async def send_elicit_complete(self, elicitation_id: str, related_request_id: Any = None) -> None:
        """``notifications/elicitation/complete``: a URL-mode elicitation finished out of band."""
        self._ctx._handle.notify("notifications/elicitation/complete", {"elicitationId": elicitation_id})

    async def send_resource_updated(self, uri: Any) -> None:
        self._ctx._server().notify_resource_updated(str(uri))

    async def send_tool_list_changed(self) -> None:
        self._ctx._server()._native.list_changed("tools")

    async def send_resource_list_changed(self) -> None:
        self._ctx._server()._native.list_changed("resources")

    async def send_prompt_list_changed(self) -> None:
        self._ctx._server()._native.list_changed("prompts")

    def check_client_capability(self, capability: Any) -> bool:
        """True when the client declared every capability set on ``capability`` (a ``ClientCapabilities``
        or a dict)."""
        if hasattr(capability, "model_dump"):
            capability = capability.model_dump(by_alias=True, exclude_none=True)
        declared = self._ctx._handle.client_capabilities or {}
        return all(declared.get(name) is not None for name in dict(capability or {}))

    @property
    def client_params(self) -> Any:
        return None


_LEVELS = ("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency")


class Context(Generic[SessionT, LifespanContextT, RequestT]):
    """Injected into any tool parameter annotated ``Context`` (or ``Context[ServerSession, AppContext]``, the
    SDK v1 spelling). One per request."""

    __slots__ = ("_fastmcp", "_handle")

    def __init__(self, handle: RequestHandle, fastmcp: FastMCP | None = None) -> None:
        self._handle = handle
        self._fastmcp = fastmcp

    @property
    def fastmcp(self) -> FastMCP | None:
        """The server this request belongs to."""
        return self._fastmcp

    @property
    def request_id(self) -> str:
        """The JSON-RPC id of the request, as a string."""
        return str(self._handle.request_id)

    @property
    def session_id(self) -> str | None:
        """The session's id: the ``Mcp-Session-Id`` over HTTP, one of its own per stdio or in-memory connection
        (``None`` on stateless HTTP)."""
        return self._handle.session_id

    @property
    def client_id(self) -> str | None:
        """The ``client_id`` the request carried in its ``_meta``, as FastMCP 4 gives it; when it carried none,
        the client id of the verified bearer token (FastMCP 4 gives ``None`` there)."""
        meta = self._handle.meta
        value = meta.get("client_id") if isinstance(meta, dict) else None
        if value is None:
            token = self._handle.access_token
            value = token.get("client_id") if token else None
        return None if value is None else str(value)

    @property
    def request_context(self) -> _RequestContext:
        return _RequestContext(self)

    @property
    def session(self) -> _Session:
        return _Session(self)

    @property
    def lifespan_context(self) -> Any:
        """What the server's lifespan yielded (``{}`` without one)."""
        server = self._fastmcp or (_serving[-1] if _serving else None)
        return getattr(server, "_lifespan_result", {}) if server is not None else {}

    @property
    def transport(self) -> str:
        if self._handle.headers is not None:
            return "streamable-http"
        return "stdio"

    def _server(self) -> FastMCP:
        server = self._fastmcp or (_serving[-1] if _serving else None)
        if server is None:
            raise RuntimeError("this context belongs to no server")
        return server

    @property
    def protocol_version(self) -> str | None:
        return self._handle.protocol_version

    def client_extension_settings(self, identifier: str) -> dict[str, Any] | None:
        """The settings this request's ``_meta`` declares for the extension ``identifier`` (SEP-2133: a client
        opts in per request, under ``io.modelcontextprotocol/clientCapabilities``), ``None`` when it declares
        none."""
        meta = self._handle.meta
        capabilities = meta.get("io.modelcontextprotocol/clientCapabilities") if isinstance(meta, dict) else None
        extensions = capabilities.get("extensions") if isinstance(capabilities, dict) else None
        settings = extensions.get(identifier) if isinstance(extensions, dict) else None
        return dict(settings) if isinstance(settings, dict) else None

    @property
    def progress_token(self) -> str | int | None:
        return self._handle.progress_token

    async def log(
        self,
        message: Any,
        level: str | None = None,
        logger_name: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        """Sends a log message to the client (``notifications/message``).

        Accepts FastMCP's order ``log(message, level)`` and the SDK's ``log(level, message)``.
        """
        if level is not None and message in _LEVELS and level not in _LEVELS:
            message, level = level, message
        level = level or "info"
        if level not in _LEVELS:
            raise ValueError(f"unknown log level {level!r}")
        self._handle.log(level, {"msg": message, "extra": extra}, logger_name)

    async def debug(self, message: Any, logger_name: str | None = None, extra: dict[str, Any] | None = None) -> None:
        await self.log(message, "debug", logger_name, extra)

    async def info(self, message: Any, logger_name: str | None = None, extra: dict[str, Any] | None = None) -> None:
        await self.log(message, "info", logger_name, extra)

    async def warning(self, message: Any, logger_name: str | None = None, extra: dict[str, Any] | None = None) -> None:
        await self.log(message, "warning", logger_name, extra)

    async def error(self, message: Any, logger_name: str | None = None, extra: dict[str, Any] | None = None) -> None:
        await self.log(message, "error", logger_name, extra)

    async def report_progress(self, progress: float, total: float | None = None, message: str | None = None) -> None:
        """Sends ``notifications/progress`` when the client asked for progress (sent a progress token)."""
        self._handle.progress(float(progress), None if total is None else float(total), message)

    async def close_sse_stream(self) -> None:
        """Ends the HTTP response carrying this request's SSE stream without ending the call (SEP-1699
        polling): the client reconnects after the server's ``retry_interval`` and receives the rest of the
        stream, notifications and result, from where it left off. Use it in long calls so no connection is
        held open for minutes (load balancers time out idle ones). Does nothing over stdio, for a JSON
        response, without an event store, or for a client older than MCP 2025-11-25 (it could not resume)."""
        self._handle.close_sse_stream()

    # -- resources ----------------------------------------------------------------------------------------

    async def read_resource(self, uri: Any) -> ResourceResult:
        """Reads a resource of this server (static or templated) as a client would, without a round trip."""
        import asyncio

        from .exceptions import NotFoundError
        from .resources.base import ResourceResult

        uri = str(uri)
        found = self._server()._native.find_resource(uri)
        if found is None:
            raise NotFoundError(f"Unknown resource: {uri!r}")
        func, is_async, arguments = found
        handle = self._handle.for_target(uri)
        if is_async:
            result = await func(arguments, handle)
        else:
            result = await asyncio.to_thread(func, arguments, handle)
        return ResourceResult._from_wire(result)

    # -- multi-round-trip requests (2026-07-28) -----------------------------------------------------------

    @property
    def input_responses(self) -> dict[str, Any] | None:
        """On a modern retry, the client's answers to the input requests this code returned (by key):
        ``ElicitResult`` / ``CreateMessageResult`` / ``ListRootsResult`` when the SDK types are installed,
        dicts otherwise. ``None`` on the first round."""
        responses = self._handle.input_responses
        if not isinstance(responses, dict):
            return None
        from ._sdk_types import input_responses

        return input_responses(responses)

    @property
    def request_state(self) -> str | None:
        """On a modern retry, the ``request_state`` this code returned with its ``InputRequiredResult``
        (opened: it travels sealed)."""
        from ._mrtr import user_state

        return user_state(self._handle.input_state)

    # -- requests to the client --------------------------------------------------------------------------

    def _client_supports(self, capability: str) -> bool:
        caps = self._handle.client_capabilities
        return isinstance(caps, dict) and caps.get(capability) is not None

    async def _request(self, method: str, params: dict[str, Any], capability: str) -> Any:
        import asyncio

        from .exceptions import McpError, ToolError

        if self._handle.is_modern and not self._handle.in_task:
            # No requests to the client in this era: the answer comes with the request's retry (a task's
            # requests wait for tasks/update instead, below).
            from . import _mrtr

            return _mrtr.ask(self._handle, method, params)
        if not self._client_supports(capability):
            raise ToolError(f"The client did not declare the {capability} capability, so {method} cannot be sent")
        future = asyncio.get_running_loop().create_future()
        self._handle.send_request(method, params, future)
        kind, payload = await future
        if kind == "result":
            return payload
        if kind == "error":
            error = payload if isinstance(payload, dict) else {}
            raise McpError(str(error.get("message", "")), int(error.get("code", -32603)), error.get("data"))
        raise ToolError(f"{method} could not be sent: {payload}")

    async def elicit(
        self,
        message: str,
        response_type: Any = None,
        *,
        response_title: str | None = None,
        response_description: str | None = None,
        schema: Any = None,
    ) -> Any:
        """Asks the user for input (``elicitation/create``). Returns ``AcceptedElicitation`` (``.data``),
        ``DeclinedElicitation`` or ``CancelledElicitation``. ``schema=`` is the SDK v1 spelling."""
        from . import elicitation

        if response_type is None and schema is not None:
            response_type = schema
        shape = elicitation._Shape.of(response_type, response_title, response_description)
        params = {"mode": "form", "message": message, "requestedSchema": shape.schema}
        answer = await self._request("elicitation/create", params, "elicitation")
        return shape.parse(answer)

    async def _elicit_url_raw(self, message: str, url: str, elicitation_id: str) -> Any:
        caps = self._handle.client_capabilities or {}
        elicitation = caps.get("elicitation")
        if isinstance(elicitation, dict) and elicitation and "url" not in elicitation:
            from .exceptions import ToolError

            raise ToolError("The client did not declare URL mode elicitation, so it cannot be asked to open a URL")
        params = {"mode": "url", "message": message, "url": url, "elicitationId": elicitation_id}
        return await self._request("elicitation/create", params, "elicitation")

    async def elicit_url(self, message: str, url: str, elicitation_id: str) -> Any:
        """Asks the user to open ``url`` (URL mode elicitation, for credentials, OAuth or payments that must
        not pass through the client). Returns ``AcceptedUrlElicitation``, ``DeclinedElicitation`` or
        ``CancelledElicitation``; the interaction itself happens out of band."""
        from . import elicitation

        answer = await self._elicit_url_raw(message, url, elicitation_id)
        return elicitation._parse_url_answer(answer)

    async def _sample_raw(self, messages: Any, **options: Any) -> dict[str, Any]:
        from .sampling import request_params

        params = request_params(messages, **options)
        server = self._fastmcp or (_serving[-1] if _serving else None)
        handler = getattr(server, "_sampling_handler", None)
        if handler is not None and (
            getattr(server, "_sampling_behavior", "fallback") == "always" or not self._client_supports("sampling")
        ):
            from .sampling import run_fallback_handler

            return await run_fallback_handler(handler, params, self.request_context)
        return await self._request("sampling/createMessage", params, "sampling")

    async def sample(
        self,
        messages: Any,
        system_prompt: str | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        model_preferences: Any = None,
        include_context: str | None = None,
        stop_sequences: list[str] | None = None,
    ) -> Any:
        """Asks the client's model for a completion (``sampling/createMessage``); returns the reply's content
        (``.type``, ``.text``...)."""
        from .sampling import content_object

        result = await self._sample_raw(
            messages,
            system_prompt=system_prompt,
            temperature=temperature,
            max_tokens=max_tokens or 512,
            model_preferences=model_preferences,
            include_context=include_context,
            stop_sequences=stop_sequences,
        )
        return content_object(result.get("content", {}))

    async def list_roots(self) -> list[Any]:
        """The client's roots (``roots/list``)."""
        from types import SimpleNamespace

        result = await self._request("roots/list", {}, "roots")
        return [SimpleNamespace(uri=r.get("uri"), name=r.get("name")) for r in result.get("roots", [])]

    # -- per-session state ---------------------------------------------------------------------------------

    async def set_state(self, key: str, value: Any, *, serializable: bool = True) -> None:
        """Keeps a value for the rest of the session (for this request only with ``serializable=False``)."""
        if serializable:
            try:
                json.dumps(value)
            except (TypeError, ValueError):
                raise TypeError(
                    f"Value for state key {key!r} is not serializable. Use set_state({key!r}, value, "
                    "serializable=False) to keep it for this request only."
                ) from None
            self._request_state.pop(key, None)
            store = self._state_store()
            if store is None:
                self._handle.session_state[key] = value
            else:  # as FastMCP 4 keeps it: under "{session id}:{key}", wrapped, for a day
                await store.put(
                    key=f"{self.session_id}:{key}", value={"value": value}, collection=_STATE_COLLECTION, ttl=86400
                )
        else:
            self._request_state[key] = value

    async def get_state(self, key: str) -> Any:
        if key in self._request_state:
            return self._request_state[key]
        store = self._state_store()
        if store is None:
            return self._handle.session_state.get(key)
        found = await store.get(key=f"{self.session_id}:{key}", collection=_STATE_COLLECTION)
        return found.get("value") if isinstance(found, dict) else None

    async def delete_state(self, key: str) -> None:
        self._request_state.pop(key, None)
        store = self._state_store()
        if store is None:
            self._handle.session_state.pop(key, None)
        else:
            await store.delete(key=f"{self.session_id}:{key}", collection=_STATE_COLLECTION)

    def _state_store(self) -> Any:
        server = self._fastmcp or (_serving[-1] if _serving else None)
        return getattr(server, "_state_storage", None)

    @property
    def _request_state(self) -> dict[str, Any]:
        return self._handle.request_state

    # -- per-session visibility -------------------------------------------------------------------------------

    async def enable_components(
        self,
        *,
        names: set[str] | None = None,
        keys: set[str] | None = None,
        version: Any = None,
        tags: set[str] | None = None,
        components: set[Any] | None = None,
        match_all: bool = False,
    ) -> None:
        """Shows the matching components to this client only (its rules win over the server's, later ones
        over earlier ones) and tells it its listings changed. On the 2026-07-28 era over HTTP the client is
        the verified caller; an unauthenticated request there has no client to scope rules to
        (``RuntimeError``)."""
        from .server.transforms.visibility import enable_components

        await enable_components(
            self, names=names, keys=keys, version=version, tags=tags, components=components, match_all=match_all
        )

    async def disable_components(
        self,
        *,
        names: set[str] | None = None,
        keys: set[str] | None = None,
        version: Any = None,
        tags: set[str] | None = None,
        components: set[Any] | None = None,
        match_all: bool = False,
    ) -> None:
        """Hides the matching components from this client only, and tells it its listings changed."""
        from .server.transforms.visibility import disable_components

        await disable_components(
            self, names=names, keys=keys, version=version, tags=tags, components=components, match_all=match_all
        )

    async def reset_visibility(self) -> None:
        """Drops this client's own rules (it sees what every client sees again), and tells it."""
        from .server.transforms.visibility import reset_visibility

        await reset_visibility(self)

    async def _get_visibility_rules(self) -> list[dict[str, Any]]:
        from .server.transforms.visibility import get_visibility_rules

        return await get_visibility_rules(self)

    # -- notifications ----------------------------------------------------------------------------------------

    async def send_resource_updated(self, uri: str) -> None:
        """Tells the clients subscribed to ``uri`` that it changed."""
        self._server().notify_resource_updated(str(uri))

    async def send_tool_list_changed(self) -> None:
        """Sends ``notifications/tools/list_changed`` to connected clients."""
        self._server()._native.list_changed("tools")

    async def send_resource_list_changed(self) -> None:
        self._server()._native.list_changed("resources")

    async def send_prompt_list_changed(self) -> None:
        self._server()._native.list_changed("prompts")
